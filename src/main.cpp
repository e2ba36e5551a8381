#include "sovrisk/cli.h"

int main(int argc, char** argv) {
  return sovrisk::run_command_line(argc, argv);
}
