#pragma once
// Block-wise distillation (docs/vora-format.md, "Training"). The teacher is a frozen AIMv2-style ViT read from TEACHER_DIR:
// config.json {hidden_size, num_attention_heads, num_hidden_layers, intermediate_size, patch_size,
// image_size, rms_norm_eps (default 1e-5)} and *.safetensors with the names of HF's AIMv2 remote code:
//   preprocessor.patchifier.proj.{weight [C,3,P,P], bias [C]}   preprocessor.patchifier.norm.weight [C]
//   preprocessor.pos_embed [1, G*G, C]
//   trunk.blocks.{i}.norm_1.weight [C]   trunk.blocks.{i}.attn.qkv.weight [3C, C] (+ .bias optional)
//   trunk.blocks.{i}.attn.proj.weight [C, C] (+ .bias optional)   trunk.blocks.{i}.norm_2.weight [C]
//   trunk.blocks.{i}.mlp.fc1.weight [F, C]  fc3.weight [F, C]  fc2.weight [C, F]   (x -> fc2(silu(fc1 x) * fc3 x))
//   trunk.post_trunk_norm.weight (unused: block outputs are compared before it); no CLS token.
// Block i: x += proj(attn(norm_1(x))); x += mlp(norm_2(x)); full (non-causal) attention.
// Heads, one per teacher block: head_k = RMSNorm(D, eps 1e-5) + Linear(D -> C, no bias), stored as
// aux_vision.aux_layer_{k}.0.weight and aux_vision.aux_layer_{k}.1.weight (the reference's module names).
// Pairing, as docs/vora-format.md states it: head k reads LLM hidden state k (k = 0: embedding output,
// k >= 1: output of LLM block k-1) at image positions and is compared with the output of teacher block k.
#include "training/teacher_config.h"
#include "training/trainable_model.h"

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

namespace vora::training {



class Distiller {
public:
    // Loads the teacher (frozen, compute dtype of the model) and adds the heads to model's trainable
    // params (RMSNorm weight ones, Linear kaiming-uniform). Throws core::Error on missing tensors or
    // when the teacher's patch size differs from the model's, or it has more blocks than hidden states.
    Distiller(const std::string& teacherDir, TrainableModel& model);

    int heads() const { return static_cast<int>(m_heads.size()); }
    const TeacherConfig& config() const { return m_config; }
    // pixels [nImg, 3, H, W] -> per block output [nImg * N, C] (no grad)
    std::vector<at::Tensor> teacherBlocks(const at::Tensor& pixels) const;
    // hiddenAtImages[k]: [T, D] LLM hidden state k at the image positions (T = nImg * N, raster order);
    // targets from teacherBlocks. Returns per-head loss mean_t (1 - cos(head_k(h), target)).
    std::vector<at::Tensor> headLosses(const std::vector<at::Tensor>& hiddenAtImages,
                                       const std::vector<at::Tensor>& targets) const;

private:
    struct Block {
        at::Tensor norm1, qkvW, qkvB, projW, projB, norm2, fc1, fc2, fc3;
    };
    struct Head {
        at::Tensor* norm = nullptr; // compute copies held here, materialized from the masters
        at::Tensor* proj = nullptr;
    };

    TeacherConfig m_config;
    at::Tensor m_patchW, m_patchB, m_patchNorm, m_pos;
    std::vector<Block> m_blocks;
    std::vector<at::Tensor> m_headTensors; // 2 per head: norm weight, proj weight (slots)
    std::vector<Head> m_heads;
    double m_headEps = 1e-5;
};

} // namespace vora::training
