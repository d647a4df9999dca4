// Kiln's entry point for a C++ test program: the program's own main() is renamed to
// kiln_sample_main by the forced include (kiln_cpp_pch.h). The run's nonce arrives on stdin and is
// printed only after the program's main returned, so an early exit(0) does not pass.
#include <cstdio>
#include <exception>
#include <unistd.h>

int kiln_sample_main();

int main() {
    char nonce[256];
    ssize_t n = 0;
    while (n < (ssize_t) sizeof nonce) {
        ssize_t r = read(0, nonce + n, sizeof nonce - n);
        if (r <= 0) {
            break;
        }
        n += r;
    }
    try {
        kiln_sample_main();
    } catch (const std::exception& e) {
        fflush(stdout);
        fprintf(stderr, "\nKILN-FAILED uncaught exception: %s\n", e.what());
        return 1;
    } catch (...) {
        fflush(stdout);
        fprintf(stderr, "\nKILN-FAILED uncaught exception\n");
        return 1;
    }
    fflush(stdout);
    if (n > 0 && write(1, nonce, n) != n) {
        return 1;
    }
    return 0;
}
