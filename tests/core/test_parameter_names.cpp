// The registry of checkpoint tensor names against checkpoints written by the reference script
// (tests/reference/make_tiny_vora.py, HF/PEFT module names): every stored tensor is a name the registry
// can produce, every required one is stored, under either prefix convention.
#include "core/model/model_config.h"
#include "core/model/parameter_names.h"
#include "core/safetensors/checkpoint_files.h"

#include <QTest>

#include <set>

using namespace vora::core;

class TestParameterNames : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void namesAndThePrefixRule()
    {
        QCOMPARE(param::linearName(3, param::LinearSlot::QProj), std::string("llm.model.layers.3.self_attn.q_proj"));
        QCOMPARE(param::loraBOf(param::linearName(0, param::LinearSlot::DownProj)),
                 std::string("llm.model.layers.0.mlp.down_proj.lora_B.weight"));
        QCOMPARE(param::postAttentionLayerNorm(12), std::string("llm.model.layers.12.post_attention_layernorm.weight"));
        QCOMPARE(param::officialName("model.norm.weight"), std::string("llm.model.norm.weight"));
        QCOMPARE(param::officialName("lm_head.weight"), param::lmHead());
        QCOMPARE(param::officialName("llm.model.norm.weight"), std::string("llm.model.norm.weight"));
        QCOMPARE(param::officialName("vision_embedding.pos_embed"), std::string("vision_embedding.pos_embed"));
        QCOMPARE(param::plainLlmName(param::embedTokens()), std::string("model.embed_tokens.weight"));
        QCOMPARE(param::plainLlmName("vision_embedding.pos_embed"), std::string());
        QCOMPARE(param::moduleOfLora("llm.model.layers.1.self_attn.v_proj.lora_A.weight"),
                 std::string("llm.model.layers.1.self_attn.v_proj"));
        QCOMPARE(param::distillHeadProjection(2), std::string("aux_vision.aux_layer_2.1.weight"));
        QCOMPARE(param::allLinearTargets(),
                 (std::vector<std::string>{"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}));
        QVERIFY(param::linearSlotOfTarget("gate_proj") == param::LinearSlot::GateProj);
        QVERIFY(!param::linearSlotOfTarget("mlp.gate_proj").has_value());
    }

    void registryCoversReferenceCheckpoints_data()
    {
        QTest::addColumn<QString>("model");
        for (const char* model : {"qwen2_text", "llama_text", "llama_vora_tied", "qwen2_vora_merged", "qwen2_vora_unmerged",
                                  "qwen2_vora_unmerged_premerged"}) {
            QTest::newRow(model) << QString(model);
        }
    }

    void registryCoversReferenceCheckpoints()
    {
        QFETCH(QString, model);
        const std::string dir = VORA_TEST_DATA_DIR "/tiny_models/" + model.toStdString();
        const ModelConfig config = loadModelConfig(dir);
        const CheckpointFiles files = CheckpointFiles::open(dir);

        std::set<std::string> possible = {param::embedTokens(), param::finalNorm(), param::lmHead()};
        std::vector<std::string> required = {param::embedTokens(), param::finalNorm()};
        if (!config.tieWordEmbeddings) {
            required.push_back(param::lmHead());
        }
        for (int layer = 0; layer < config.numLayers; ++layer) {
            for (const std::string& norm : {param::inputLayerNorm(layer), param::postAttentionLayerNorm(layer)}) {
                possible.insert(norm);
                required.push_back(norm);
            }
            for (const param::LinearSlot slot : param::kLinearSlots) {
                const std::string module = param::linearName(layer, slot);
                possible.insert({param::weightOf(module), param::biasOf(module), param::loraAOf(module), param::loraBOf(module)});
                required.push_back(param::weightOf(module));
                const std::vector<int64_t> shape = files.find(files.contains(param::weightOf(module)) ? param::weightOf(module)
                                                                                                      : param::plainLlmName(param::weightOf(module)))
                                                       ->info->shape;
                const param::LinearShape expected = param::linearShape(slot, config);
                QCOMPARE(shape, (std::vector<int64_t>{expected.out, expected.in}));
            }
        }
        if (config.isVora()) {
            for (const std::string_view name : {param::kVisionProjWeight, param::kVisionProjBias, param::kVisionNormWeight,
                                                param::kVisionPosEmbed, param::kVisionOutProj}) {
                possible.emplace(name);
                required.emplace_back(name);
            }
        }

        int stored = 0;
        for (const std::string& name : files.names()) {
            if (param::isTeacherName(name) || param::isIgnorableBuffer(name)) {
                continue;
            }
            QVERIFY2(possible.count(param::officialName(name)), name.c_str());
            ++stored;
        }
        for (const std::string& name : required) {
            QVERIFY2(files.contains(name) || files.contains(param::plainLlmName(name)), name.c_str());
        }
        QVERIFY(stored >= static_cast<int>(required.size()));
        QVERIFY(stored > 10);
    }
};

QTEST_GUILESS_MAIN(TestParameterNames)
#include "test_parameter_names.moc"
