// What annotation may include: its own private headers and the layers below it.
#include "annotation/private/pngcodec.h"
#include "models/predictor.h"
#include "storage/workspace.h"
