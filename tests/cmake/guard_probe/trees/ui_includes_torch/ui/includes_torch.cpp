// Fixture for the layer-guard test: a ui file that must be refused.
#include <ATen/ATen.h>
