#include "io_emu.c"
