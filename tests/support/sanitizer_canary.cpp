// Proves the sanitizer build really sanitizes: run with "address" it overflows a heap
// block, with "undefined" it overflows a signed int. Registered as should_fail tests in
// builds with -Db_sanitize, so a silently uninstrumented build fails the test run.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

int main(int argc, char* argv[]) {
  if (argc != 2) return 2;
  if (std::strcmp(argv[1], "address") == 0) {
    auto block = std::make_unique<volatile char[]>(8);
    const volatile int index = 8;
    block[index] = 1;  // one past the end
    std::puts("address: overflow was not detected");
    return 0;
  }
  if (std::strcmp(argv[1], "undefined") == 0) {
    volatile int big = 0x7fffffff;
    const int wrapped = big + 1;  // signed overflow
    std::printf("undefined: overflow to %d was not detected\n", wrapped);
    return 0;
  }
  return 2;
}
