// storage/git/ is storage's own: annotation sees only storage's top-level headers.
#include "storage/git/handles.h"
