// annotation/private/ is annotation's own.
#include "annotation/private/pngcodec.h"
