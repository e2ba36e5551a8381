// `sovrisk report`'s refusals: exit 2, one line naming the file, nothing written;
// and without -o no file is replaced. The page itself is checked in Chromium
// (tests/report/test_report_page.py).
#include <sys/stat.h>

#include "cli_support.h"

namespace sovrisk::testing {
namespace {

class ReportCommandTest : public CommandLineTest {
 protected:
  // Runs `arguments` and checks: exit 2, one line that names `mention`, no output.
  void expect_refused(const std::string& arguments, const std::string& mention,
                      const std::string& output) {
    const Outcome outcome = run_sovrisk("report " + arguments);
    EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
    EXPECT_NE(outcome.output.find(mention), std::string::npos) << outcome.output;
    EXPECT_EQ(std::count(outcome.output.begin(), outcome.output.end(), '\n'), 1)
        << outcome.output;
    EXPECT_FALSE(fs::exists(output)) << output;
  }
  // A small result file.
  std::string result(const std::string& name) {
    const std::string config = write("config.yaml", deterministic_yaml());
    EXPECT_EQ(run_sovrisk("run " + config + " -q -o " + file(name)).exit_code, 0);
    return file(name);
  }
};

TEST_F(ReportCommandTest, RefusesAMissingFile) {
  expect_refused(file("missing.h5") + " -o " + file("r.html"), "missing.h5: no such file",
                 file("r.html"));
}

TEST_F(ReportCommandTest, RefusesAFileThatIsNotHdf5) {
  const std::string text = write("text.h5", "not HDF5\n");
  expect_refused(text + " -o " + file("r.html"), "text.h5: not an HDF5 file", file("r.html"));
}

TEST_F(ReportCommandTest, RefusesATruncatedResultFile) {
  const std::string whole = result("whole.h5");
  const std::string cut = file("cut.h5");
  fs::copy_file(whole, cut);
  fs::resize_file(cut, fs::file_size(whole) / 2);
  expect_refused(cut + " -o " + file("r.html"), "cut.h5: damaged HDF5 file", file("r.html"));
}

TEST_F(ReportCommandTest, RefusesAnOutputItCannotWrite) {
  const std::string input = result("a.h5");
  expect_refused(input + " -o " + file("missing/r.html"), "does not exist", file("missing/r.html"));
  fs::create_directory(file("locked"));
  chmod(file("locked").c_str(), 0555);
  if (access(file("locked").c_str(), W_OK) != 0)  // root writes anyway
    expect_refused(input + " -o " + file("locked/r.html"), "cannot write", file("locked/r.html"));
  const Outcome onto_input = run_sovrisk("report " + input + " -o " + input);
  EXPECT_EQ(onto_input.exit_code, 2) << onto_input.output;
  EXPECT_NE(onto_input.output.find("the same file as the input file"), std::string::npos)
      << onto_input.output;
  EXPECT_EQ(run_sovrisk("report " + input + " -o " + directory_.string()).exit_code, 2);
}

TEST_F(ReportCommandTest, WithoutOutputReplacesNoFile) {
  const std::string input = result("a.h5");
  write("a-report.html", "keep me\n");
  const std::string command = "cd " + directory_.string() + " && " + sovrisk_binary() +
                              " report a.h5 -q 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string output;
  std::array<char, 4096> buffer;
  while (std::fgets(buffer.data(), buffer.size(), pipe))
    output += buffer.data();
  EXPECT_EQ(WEXITSTATUS(pclose(pipe)), 0) << output;
  EXPECT_EQ(read_text(file("a-report.html")), "keep me\n");
  EXPECT_EQ(output,
            "sovrisk: warning: a-report.html exists: writing a-report-2.html instead (-o FILE "
            "names the output, and replaces it)\n");
  EXPECT_NE(read_text(file("a-report-2.html")).find("<!DOCTYPE html>"), std::string::npos);
  for (const auto& entry : fs::directory_iterator(directory_))
    EXPECT_EQ(entry.path().string().find(".tmp-"), std::string::npos) << entry.path();
}

}  // namespace
}  // namespace sovrisk::testing
