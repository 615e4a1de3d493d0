// makeDecodeGraphs for LibTorch builds without CUDA (core/cuda/ is not compiled there).
#include "core/generation/decode_graphs.h"

namespace vora::core {

std::unique_ptr<DecodeGraphs> makeDecodeGraphs(const VoraModel&, const DecodeGraphOptions&, std::string* whyNot)
{
    if (whyNot) {
        *whyNot = "this LibTorch was built without CUDA";
    }
    return nullptr;
}

} // namespace vora::core
