// The serving library is below the command line: app/cli/servecommand.cpp composes it, never
// the other way round.
#include "app/cli/console.h"
