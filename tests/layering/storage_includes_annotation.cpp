// storage is the lowest layer: it sees no annotation header.
#include "annotation/principal.h"
