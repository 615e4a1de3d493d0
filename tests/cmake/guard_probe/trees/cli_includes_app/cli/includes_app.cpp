// Fixture for the layer-guard test: a CLI file that must be refused (the CLI builds without Qt).
#include "app/runtime_summary.h"
