// Fixture for the layer-guard test: an app file that must be refused (app/ links no training).
#include "training/trainer.h"
