#include "training/distillation.h"

#include "core/error.h"
#include "core/model/parameter_names.h"
#include "core/model/weight_loader.h"
#include "core/safetensors/checkpoint_files.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace vora::training {
namespace {

at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& weight, double eps)
{
    const at::Tensor x32 = x.to(at::kFloat);
    const at::Tensor normed = x32 * at::rsqrt(x32.pow(2).mean(-1, true) + eps);
    return weight * normed.to(x.scalar_type());
}

} // namespace

TeacherConfig loadTeacherConfig(const std::string& dir)
{
    const std::string path = (std::filesystem::path(dir) / "config.json").string();
    std::ifstream in(path);
    core::require(in.good(), core::ErrorCode::FileNotFound, path + ": the distillation teacher needs a config.json");
    std::stringstream text;
    text << in.rdbuf();
    try {
        const auto j = nlohmann::json::parse(text.str());
        TeacherConfig c;
        c.width = j.at("hidden_size").get<int64_t>();
        c.heads = j.at("num_attention_heads").get<int>();
        c.layers = j.at("num_hidden_layers").get<int>();
        c.intermediate = j.at("intermediate_size").get<int64_t>();
        c.patchSize = j.value("patch_size", 14);
        c.imageSize = j.value("image_size", 448);
        c.eps = j.value("rms_norm_eps", 1e-5);
        core::require(c.width > 0 && c.heads > 0 && c.width % c.heads == 0 && c.layers > 0, core::ErrorCode::InvalidConfig,
                      path + ": hidden_size must be a positive multiple of num_attention_heads");
        return c;
    } catch (const nlohmann::json::exception& e) {
        throw core::Error(core::ErrorCode::InvalidConfig, path + ": " + e.what());
    }
}

Distiller::Distiller(const std::string& teacherDir, TrainableModel& model) : m_config(loadTeacherConfig(teacherDir))
{
    core::VoraModel& vora = model.model();
    const c10::Device device = vora.device();
    const c10::ScalarType dtype = vora.dtype();
    const core::ModelConfig& mc = vora.config();
    core::require(m_config.patchSize == mc.vision->patchSize, core::ErrorCode::InvalidConfig,
                  teacherDir + ": teacher patch size differs from the model's");
    core::require(m_config.layers <= mc.numLayers + 1, core::ErrorCode::InvalidConfig,
                  teacherDir + ": the teacher has more blocks than the LLM has hidden states");
    const core::CheckpointFiles files = core::CheckpointFiles::open(teacherDir);
    const int64_t c = m_config.width;
    auto take = [&](const std::string& name, std::vector<int64_t> shape, bool optional = false) -> at::Tensor {
        const core::TensorLocation* where = files.find(name);
        if (!where) {
            core::require(optional, core::ErrorCode::MissingWeights, teacherDir + ": missing teacher tensor " + name);
            return {};
        }
        at::Tensor t = core::readTensor(*where, device, dtype);
        core::require(t.sizes() == at::IntArrayRef(shape), core::ErrorCode::ShapeMismatch,
                      teacherDir + ": " + name + " has an unexpected shape");
        return t;
    };
    const int p = m_config.patchSize;
    const int64_t grid = m_config.imageSize / p;
    m_patchW = take("preprocessor.patchifier.proj.weight", {c, 3, p, p});
    m_patchB = take("preprocessor.patchifier.proj.bias", {c});
    m_patchNorm = take("preprocessor.patchifier.norm.weight", {c});
    m_pos = take("preprocessor.pos_embed", {1, grid * grid, c});
    for (int i = 0; i < m_config.layers; ++i) {
        const std::string b = "trunk.blocks." + std::to_string(i) + ".";
        const int64_t f = m_config.intermediate;
        m_blocks.push_back({take(b + "norm_1.weight", {c}), take(b + "attn.qkv.weight", {3 * c, c}),
                            take(b + "attn.qkv.bias", {3 * c}, true), take(b + "attn.proj.weight", {c, c}),
                            take(b + "attn.proj.bias", {c}, true), take(b + "norm_2.weight", {c}),
                            take(b + "mlp.fc1.weight", {f, c}), take(b + "mlp.fc2.weight", {c, f}),
                            take(b + "mlp.fc3.weight", {f, c})});
    }

    const int64_t d = mc.hiddenSize;
    m_headTensors.resize(2 * static_cast<size_t>(m_config.layers));
    for (int k = 0; k < m_config.layers; ++k) {
        at::Tensor* norm = &m_headTensors[2 * k];
        at::Tensor* proj = &m_headTensors[2 * k + 1];
        const double bound = 1.0 / std::sqrt(static_cast<double>(d));
        model.addParam({core::param::distillHeadNorm(k), torch::ones({d}, torch::kFloat).to(device).set_requires_grad(true), norm});
        model.addParam({core::param::distillHeadProjection(k),
                        torch::empty({c, d}, torch::kFloat).uniform_(-bound, bound).to(device).set_requires_grad(true), proj});
        m_heads.push_back({norm, proj});
    }
    model.materialize();
}

std::vector<at::Tensor> Distiller::teacherBlocks(const at::Tensor& pixels) const
{
    torch::NoGradGuard noGrad;
    const int p = m_config.patchSize;
    at::Tensor x = at::conv2d(pixels.to(m_patchW.scalar_type()), m_patchW, m_patchB, {p, p});
    const int64_t gh = x.size(2), gw = x.size(3);
    x = rmsNorm(x.flatten(2).transpose(1, 2), m_patchNorm, m_config.eps);
    const int64_t n = x.size(1);
    core::require(n <= m_pos.size(1), core::ErrorCode::InvalidArgument,
                  "teacher position table is smaller than the image's " + std::to_string(gh) + "x" + std::to_string(gw) + " patches");
    x = x + m_pos.narrow(1, 0, n);
    const int64_t images = x.size(0), c = m_config.width, h = m_config.heads;
    std::vector<at::Tensor> outputs;
    for (const Block& b : m_blocks) {
        const at::Tensor qkv = at::linear(rmsNorm(x, b.norm1, m_config.eps), b.qkvW, b.qkvB)
                                   .view({images, n, 3, h, c / h}).permute({2, 0, 3, 1, 4});
        const at::Tensor attended = at::scaled_dot_product_attention(qkv[0], qkv[1], qkv[2]);
        x = x + at::linear(attended.transpose(1, 2).reshape({images, n, c}), b.projW, b.projB);
        const at::Tensor y = rmsNorm(x, b.norm2, m_config.eps);
        x = x + at::linear(at::silu(at::linear(y, b.fc1)) * at::linear(y, b.fc3), b.fc2);
        outputs.push_back(x.reshape({images * n, c}));
    }
    return outputs;
}

std::vector<at::Tensor> Distiller::headLosses(const std::vector<at::Tensor>& hiddenAtImages,
                                              const std::vector<at::Tensor>& targets) const
{
    std::vector<at::Tensor> losses;
    for (size_t k = 0; k < m_heads.size(); ++k) {
        const at::Tensor projected = at::linear(rmsNorm(hiddenAtImages[k], *m_heads[k].norm, m_headEps), *m_heads[k].proj);
        const at::Tensor cosine = at::cosine_similarity(projected.to(at::kFloat), targets[k].to(at::kFloat), 1, 1e-8);
        losses.push_back((1.0 - cosine).mean());
    }
    return losses;
}

} // namespace vora::training
