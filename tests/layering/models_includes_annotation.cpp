// models sees Qt Core and LibTorch, no annotation header.
#include "annotation/principal.h"
