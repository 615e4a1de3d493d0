// GGUF dequantisation and `import-gguf` against independent implementations
// (tests/reference/gguf_reference.py): every tensor bit-identical in float32 to the gguf package's
// dequantisation (q/k rows back in HF order), bfloat16 output bit-identical to PyTorch's rounding
// of those floats, token ids equal to the HF tokenizers pipeline of the model's tokenizer.json,
// chat prompts equal to transformers' rendering of the GGUF's Jinja template, and logits equal
// (float32, 2e-4 as in test_model_reference.cpp) to transformers' own GGUF loading.
#include "core/chat/chat_template.h"
#include "core/error.h"
#include "core/generation/generator.h"
#include "core/generation/sequence_assembly.h"
#include "core/gguf/gguf_dequantize.h"
#include "core/gguf/gguf_file.h"
#include "core/gguf/gguf_import.h"
#include "core/gguf/gguf_tokenizer_export.h"
#include "core/model/model_config.h"
#include "core/model/vora_model.h"
#include "core/safetensors/checkpoint_files.h"
#include "core/tokenizer/tokenizer.h"
#include "tensor_fixtures.h"

#include <nlohmann/json.hpp>

#include <QCryptographicHash>
#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <filesystem>
#include <fstream>

using namespace vora::core;
using nlohmann::json;

namespace {

constexpr double kLogitTolerance = 2e-4;

std::string testFile(const std::string& name)
{
    return std::string(VORA_TEST_DATA_DIR) + "/gguf/" + name;
}

const json& expected()
{
    static const json root = [] {
        std::ifstream in(testFile("tiny_expected.json"));
        return json::parse(in);
    }();
    return root;
}

std::string sha256(const void* data, size_t bytes)
{
    return QCryptographicHash::hash(QByteArrayView(static_cast<const char*>(data), static_cast<qsizetype>(bytes)),
                                    QCryptographicHash::Sha256)
        .toHex()
        .toStdString();
}

std::string importTo(const QTemporaryDir& dir, const std::string& gguf, const std::string& dtype)
{
    GgufImportOptions options;
    options.ggufPath = testFile(gguf);
    options.outDir = dir.filePath(QString::fromStdString(dtype)).toStdString();
    options.dtype = dtype;
    importGguf(options);
    return options.outDir;
}

} // namespace

class TestGgufImport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void dequantisesLikeTheGgufPackage()
    {
        const auto file = GgufFile::open(testFile("tiny_types.gguf"));
        const json& want = expected()["tiny_types.gguf"]["tensors"];
        int compared = 0;
        for (const GgufTensorInfo& info : file->tensors()) {
            const json& entry = want.at(info.name);
            QCOMPARE(std::string(ggmlTypeName(info.type)), entry["type"].get<std::string>());
            QCOMPARE(info.shape(), entry["shape"].get<std::vector<int64_t>>());
            const std::vector<float> values = dequantizeTensor(*file, info);
            QVERIFY2(sha256(values.data(), values.size() * 4) == entry["f32_sha256"].get<std::string>(),
                     qPrintable(QString::fromStdString(info.describe() + " first values " + entry["first"].dump())));
            ++compared;
        }
        QCOMPARE(compared, 32); // 8 types x 4 shapes
        QCOMPARE(static_cast<int>(want.size()), compared);
    }

    void halfAndBfloat16Conversions()
    {
        QCOMPARE(halfToFloat(0x3C00), 1.0f);
        QCOMPARE(halfToFloat(0xC000), -2.0f);
        QCOMPARE(halfToFloat(0x0001), 5.9604644775390625e-08f); // smallest subnormal
        QCOMPARE(halfToFloat(0x7BFF), 65504.0f);
        QVERIFY(std::isinf(halfToFloat(0xFC00)) && halfToFloat(0xFC00) < 0);
        QCOMPARE(floatToBfloat16(1.0f), uint16_t(0x3F80));
        QCOMPARE(floatToBfloat16(std::nanf("")), uint16_t(0x7FC0));
        QCOMPARE(floatToBfloat16(1.00390625f), uint16_t(0x3F80)); // halfway: to even
        QCOMPARE(floatToBfloat16(1.01171875f), uint16_t(0x3F82)); // halfway: to even (up)
        QCOMPARE(bfloat16ToFloat(0x3F80), 1.0f);
    }

    void importedTensorsMatch_data()
    {
        QTest::addColumn<QString>("gguf");
        QTest::addColumn<QString>("dtype");
        for (const char* gguf : {"tiny_llama.gguf", "tiny_qwen2.gguf"}) {
            for (const char* dtype : {"float32", "bfloat16"}) {
                QTest::addRow("%s %s", gguf, dtype) << gguf << dtype;
            }
        }
    }

    void importedTensorsMatch()
    {
        QFETCH(QString, gguf);
        QFETCH(QString, dtype);
        QTemporaryDir dir;
        const std::string out = importTo(dir, gguf.toStdString(), dtype.toStdString());
        const json& want = expected()[gguf.toStdString()]["tensors"];
        const CheckpointFiles files = CheckpointFiles::open(out);
        const bool f32 = dtype == QLatin1String("float32");
        int compared = 0;
        for (const auto& [name, entry] : want.items()) {
            const TensorLocation* location = files.find(name);
            QVERIFY2(location != nullptr, name.c_str());
            QCOMPARE(location->info->shape, entry["shape"].get<std::vector<int64_t>>());
            QCOMPARE(location->info->dtype, f32 ? DType::F32 : DType::BF16);
            const uint8_t* data = location->file->data(*location->info);
            const size_t bytes = static_cast<size_t>(location->info->end - location->info->begin);
            QVERIFY2(sha256(data, bytes) == entry[f32 ? "f32_sha256" : "bf16_sha256"].get<std::string>(),
                     qPrintable(QString::fromStdString(name + " (" + entry["type"].get<std::string>() + ")")));
            ++compared;
        }
        QCOMPARE(static_cast<int>(files.names().size()), compared); // nothing more was written
        QCOMPARE(compared, gguf.contains(QLatin1String("llama")) ? 21 : 26);
        QCOMPARE(files.contains("lm_head.weight"), gguf.contains(QLatin1String("llama"))); // qwen2 file is tied

        const ModelConfig config = loadModelConfig(out);
        QCOMPARE(config.modelType, gguf.contains(QLatin1String("llama")) ? std::string("llama") : std::string("qwen2"));
        QCOMPARE(config.hiddenSize, int64_t(256));
        QCOMPARE(config.numLayers, 2);
        QCOMPARE(config.numHeads, 4);
        QCOMPARE(config.numKeyValueHeads, 2);
        QCOMPARE(config.intermediateSize, int64_t(128));
        QCOMPARE(config.vocabSize, want["model.embed_tokens.weight"]["shape"][0].get<int64_t>());
        QVERIFY(config.vocabSize > 400);
        QCOMPARE(config.maxPositionEmbeddings, int64_t(512));
        QCOMPARE(config.tieWordEmbeddings, !gguf.contains(QLatin1String("llama")));
        QCOMPARE(config.rmsNormEps, gguf.contains(QLatin1String("llama")) ? 1e-5 : 1e-6);
        QCOMPARE(config.torchDtype, dtype.toStdString());
        QCOMPARE(config.eosTokenIds, (std::vector<int64_t>{2}));
    }

    void tokenizerMatchesHfPipeline_data()
    {
        QTest::addColumn<QString>("gguf");
        QTest::newRow("llama, pre smollm (Digits + ByteLevel)") << "tiny_llama.gguf";
        QTest::newRow("qwen2, pre qwen2 (NFC + Qwen2 split)") << "tiny_qwen2.gguf";
    }

    void tokenizerMatchesHfPipeline()
    {
        QFETCH(QString, gguf);
        QTemporaryDir dir;
        const std::string out = importTo(dir, gguf.toStdString(), "bfloat16");
        const auto tokenizer = Tokenizer::load(out);
        const json& rows = expected()[gguf.toStdString()]["tokens"];
        int compared = 0;
        for (const json& row : rows) {
            const auto ids = tokenizer->encode(row["text"].get<std::string>());
            QVERIFY2(ids == row["ids"].get<std::vector<int32_t>>(), row["text"].dump().c_str());
            ++compared;
        }
        QVERIFY(compared >= 500);
        QCOMPARE(tokenizer->eosId(), std::optional<int32_t>(2));
        QCOMPARE(tokenizer->bosId(), std::optional<int32_t>(1));
        QVERIFY(tokenizer->isSpecial(1) && !tokenizer->isSpecial(*tokenizer->tokenToId("<tool>")));

        // Chat prompts: the default system prompt comes from the GGUF's template, as HF renders it.
        const ChatTemplateOptions options = chatTemplateOptionsForModel(out, false);
        QCOMPARE(options.defaultSystemPrompt, std::string("You are a tiny test model"));
        int chats = 0;
        for (const json& chat : expected()[gguf.toStdString()]["chats"]) {
            std::vector<ChatTurn> turns;
            for (const json& m : chat["messages"]) {
                turns.push_back({m["role"].get<std::string>(), m["content"].get<std::string>(), 0});
            }
            QCOMPARE(renderChatPrompt(turns, options), chat["text"].get<std::string>());
            const auto ids = buildChatPromptIds(*tokenizer, turns, options);
            QCOMPARE(ids, chat["ids"].get<std::vector<int64_t>>());
            ++chats;
        }
        QCOMPARE(chats, 2);
    }

    void digitsContiguousMatchesHf()
    {
        const auto tokenizer = Tokenizer::load(testFile("digits_contiguous_tokenizer.json"));
        int compared = 0;
        for (const json& row : expected()["digits_contiguous"]) {
            QVERIFY2(tokenizer->encode(row["text"].get<std::string>()) == row["ids"].get<std::vector<int32_t>>(),
                     row["text"].dump().c_str());
            ++compared;
        }
        QVERIFY(compared >= 200);
    }

    void sentencePieceTokenizerMatchesSentencePiece()
    {
        // Mistral-7B's vocabulary stored as llama.cpp does (no merges): the exported tokenizer.json
        // must tokenize the parity corpus exactly as SentencePiece itself does.
        const auto file = GgufFile::open(testFile("tiny_spm_tokenizer.gguf"));
        const GgufTokenizerExport exported = exportGgufTokenizer(*file, 32000, 4096);
        QTemporaryDir dir;
        std::ofstream(dir.filePath("tokenizer.json").toStdString()) << exported.tokenizerJson;
        std::ofstream(dir.filePath("tokenizer_config.json").toStdString()) << exported.tokenizerConfigJson;
        const json& want = expected()["tiny_spm_tokenizer.gguf"];
        const json written = json::parse(exported.tokenizerJson);
        std::string merges;
        for (const json& merge : written["model"]["merges"]) {
            merges += merge.get<std::string>() + "\n";
        }
        QCOMPARE(sha256(merges.data(), merges.size()), want["merges_sha256"].get<std::string>());

        const auto tokenizer = Tokenizer::load(dir.path().toStdString());
        std::ifstream corpus(std::string(VORA_TEST_DATA_DIR) + "/tokenizer_parity/corpus.jsonl");
        std::ifstream ids(std::string(VORA_TEST_DATA_DIR) + "/tokenizer_parity/expected_mistral_sp.jsonl");
        std::string text;
        std::string row;
        int compared = 0;
        while (std::getline(corpus, text) && std::getline(ids, row)) {
            const std::string input = json::parse(text).get<std::string>();
            const auto wantIds = json::parse(row)["ids"].get<std::vector<int32_t>>();
            QVERIFY2(tokenizer->encode(input) == wantIds, json(input).dump().c_str());
            ++compared;
        }
        QCOMPARE(compared, want["compared"].get<int>());
        QCOMPARE(tokenizer->encode("Hi", {.parseSpecial = false, .addSpecial = true}).front(), 1); // BOS
        QCOMPARE(tokenizer->decode(tokenizer->encode(" Hello  world\n\tdone")), std::string(" Hello  world\n\tdone"));
    }

    void logitsMatchTransformers_data()
    {
        QTest::addColumn<QString>("arch");
        QTest::newRow("llama (q/k rows unpermuted, untied)") << "llama";
        QTest::newRow("qwen2 (biases, tied)") << "qwen2";
    }

    void logitsMatchTransformers()
    {
        QFETCH(QString, arch);
        QTemporaryDir dir;
        const std::string out = importTo(dir, "tiny_" + arch.toStdString() + ".gguf", "float32");
        ModelLoadOptions options;
        options.dtype = "float32";
        const auto model = VoraModel::load(out, options);
        const auto reference = SafetensorsFile::open(testFile("tiny_" + arch.toStdString() + "_logits.safetensors"));
        int prompts = 0;
        for (; reference->contains("input_ids_" + std::to_string(prompts)); ++prompts) {
            const std::string index = std::to_string(prompts);
            PromptInput prompt;
            prompt.ids = fixtureIds(*reference, "input_ids_" + index);
            const at::Tensor logits = promptLogits(*model, assembleSequence(*model, prompt), AttentionImpl::Fused);
            const at::Tensor want = fixtureTensor(*reference, "logits_" + index);
            QCOMPARE(logits.sizes().vec(), want.sizes().vec());
            const double diff = (logits - want).abs().max().item<double>();
            QVERIFY2(diff < kLogitTolerance, qPrintable(QStringLiteral("prompt %1: max |logit diff| %2").arg(prompts).arg(diff)));
        }
        QCOMPARE(prompts, 3);
    }

    void refusesAnExistingFolderAndLeavesNothingOnFailure()
    {
        QTemporaryDir dir;
        const std::string taken = dir.filePath("taken").toStdString();
        std::filesystem::create_directories(taken);
        std::ofstream(taken + "/config.json") << "{}";
        GgufImportOptions options;
        options.ggufPath = testFile("tiny_llama.gguf");
        options.outDir = taken;
        ErrorCode code = ErrorCode::Internal;
        QVERIFY(throwsCoreError([&] { importGguf(options); }, &code));
        QCOMPARE(code, ErrorCode::InvalidArgument);
        QCOMPARE(QDir(QString::fromStdString(taken)).entryList(QDir::Files), QStringList{"config.json"});

        // tiny_types.gguf is not a model: refused before anything is written.
        options.ggufPath = testFile("tiny_types.gguf");
        options.outDir = dir.filePath("new").toStdString();
        QVERIFY(throwsCoreError([&] { importGguf(options); }, &code));
        QCOMPARE(code, ErrorCode::UnsupportedFormat);
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden), QStringList{"taken"});

        // An empty folder is fine (and a trailing slash too).
        std::filesystem::create_directories(dir.filePath("empty").toStdString());
        options.ggufPath = testFile("tiny_qwen2.gguf");
        options.outDir = dir.filePath("empty/").toStdString();
        importGguf(options);
        QVERIFY(QFile::exists(dir.filePath("empty/model.safetensors")));
    }
};

QTEST_GUILESS_MAIN(TestGgufImport)
#include "test_gguf_import.moc"
