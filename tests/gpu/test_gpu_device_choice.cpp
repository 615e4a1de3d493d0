// A model on one GPU driven from a thread whose current CUDA device is another. `vora eval --device cuda:0`
// on a two-GPU host died at the engine's warm-up with "CUDA decode step, gemv: an illegal memory access":
// VoraModel::load left the current device on the last GPU (cudaDevices() switched it to read free memory),
// and the decode graphs took their streams from the current device and launched the decode kernels there
// with cuda:0's pointers. cuda:1 (the last GPU) worked. The decoding cases need two GPUs.
#include "core/device/cuda_devices.h"
#include "core/generation/decode_graphs.h"
#include "core/generation/generator.h"
#include "core/generation/sequence_assembly.h"
#include "gpu_check.h"
#include "gpu_fixtures.h"

#include <c10/cuda/CUDAFunctions.h>

#include <cstdio>

using namespace vora::core;
using namespace gpu_fixtures;

namespace {

int lastDevice() { return static_cast<int>(torch::cuda::device_count()) - 1; }

int currentDevice() { return static_cast<int>(c10::cuda::current_device()); }

std::unique_ptr<VoraModel> loadOn(int device)
{
    ModelLoadOptions options;
    options.device = "cuda:" + std::to_string(device);
    options.dtype = "float32";
    auto model = VoraModel::load(tinyModelDir("llama_vora_tied"), options); // tied embeddings, as SmolLM2
    model->decoder().fuseForInference();
    return model;
}

void listingAndLoadingKeepTheCurrentDevice()
{
    c10::cuda::set_device(0);
    const auto devices = cudaDevices();
    GPU_CHECK(static_cast<int>(devices.size()) == lastDevice() + 1, "every device listed");
    GPU_CHECK(currentDevice() == 0, "cudaDevices() left the current device at " + std::to_string(currentDevice()));
    const auto model = loadOn(0);
    GPU_CHECK(currentDevice() == 0, "VoraModel::load left the current device at " + std::to_string(currentDevice()));
}

// Greedy graph decoding (warm-up captures through prepare(), then start()) equals eager decoding for a model
// on modelDevice while callerDevice is current, and the caller's device stays current.
void graphsFollowTheModel(int modelDevice, int callerDevice)
{
    float32MeansFloat32();
    const auto model = loadOn(modelDevice);
    c10::cuda::set_device(static_cast<c10::DeviceIndex>(callerDevice));
    const std::string where = "model on cuda:" + std::to_string(modelDevice) + ", current cuda:" + std::to_string(callerDevice);
    const auto graphs = makeDecodeGraphs(*model, {DecodeGemv::Vora});
    GPU_CHECK(graphs != nullptr, where + ": no decode graphs");
    if (!graphs) {
        return;
    }
    SamplingParams greedy;
    greedy.temperature = 0;
    greedy.repetitionPenalty = 1.0;
    graphs->prepare(greedy); // the engine's warm-up: the first capture, where eval died
    StopCriteria stop;
    stop.maxNewTokens = 12;
    for (const std::string& path : casesOf("llama_vora_tied")) {
        const AssembledSequence sequence = assembleSequence(*model, promptOf(*SafetensorsFile::open(path)));
        const GenerationOutput graphed = generate(*model, sequence, greedy, stop, {}, graphs.get());
        const GenerationOutput eager = generate(*model, sequence, greedy, stop);
        GPU_CHECK(graphed.decodePath.rfind("cuda-graph", 0) == 0, where + ": decode path " + graphed.decodePath);
        GPU_CHECK(graphed.tokens == eager.tokens, where + ": graph tokens differ from eager ones for " + path);
        GPU_CHECK(currentDevice() == callerDevice, where + ": the current device became " + std::to_string(currentDevice()));
    }
}

void modelOnFirstCallerOnLast() { graphsFollowTheModel(0, lastDevice()); }

void modelOnLastCallerOnFirst() { graphsFollowTheModel(lastDevice(), 0); }

} // namespace

int main()
{
    std::vector<gpu_check::Case> cases = {{"listingAndLoadingKeepTheCurrentDevice", listingAndLoadingKeepTheCurrentDevice}};
    if (torch::cuda::device_count() >= 2) {
        // After the listing case: an illegal memory access here would poison the context for what follows.
        cases.push_back({"modelOnFirstCallerOnLast", modelOnFirstCallerOnLast});
        cases.push_back({"modelOnLastCallerOnFirst", modelOnLastCallerOnFirst});
    } else {
        // Not a skip: packaging/device-steps/gpu_tests.sh fails on skipped tests, and its machine has one GPU.
        std::printf("test_gpu_device_choice: one CUDA device, the two cross-device cases need two\n");
    }
    return gpu_check::runGpuCases("test_gpu_device_choice", cases);
}
