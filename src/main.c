#include <stdio.h>
int main(void) { puts("trellis"); return 0; }
