// ui is below app/: it starts the endpoint as a process, never includes it.
#include "app/serve/histogram.h"
