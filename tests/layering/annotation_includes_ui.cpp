// annotation is below ui.
#include "ui/keymap.h"
