#include "print_emu.c"
#include "../vsprintf.c"
