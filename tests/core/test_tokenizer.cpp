#include "core/error.h"
#include "core/tokenizer/bpe_model.h"
#include "core/tokenizer/tokenizer.h"
#include "core/unicode/unicode.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using namespace vora::core;

namespace {

std::string data(const std::string& relative)
{
    return std::string(VORA_TEST_DATA_DIR) + "/tokenizers/" + relative;
}

std::string streamAll(const Tokenizer& tokenizer, const std::vector<int32_t>& ids, bool skipSpecial)
{
    StreamingDecoder decoder(tokenizer, skipSpecial);
    std::string text;
    for (const int32_t id : ids) {
        const std::string piece = decoder.push(id);
        if (!unicode::isValidUtf8(piece)) {
            throw std::runtime_error("piece is not valid UTF-8");
        }
        text += piece;
    }
    return text + decoder.flush();
}

ErrorCode loadError(const std::string& path)
{
    try {
        Tokenizer::load(path);
    } catch (const Error& e) {
        return e.code();
    }
    return ErrorCode::Internal;
}

} // namespace

class TestTokenizer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void knownIds()
    {
        const auto qwen2 = Tokenizer::load(data("qwen2"));
        QCOMPARE(qwen2->encode("Hello, world!"), (std::vector<int32_t>{9707, 11, 1879, 0}));
        QCOMPARE(qwen2->tokenToId("<|im_end|>"), std::optional<int32_t>(151645));
        QCOMPARE(qwen2->eosId(), std::optional<int32_t>(151645));
        QCOMPARE(qwen2->padId(), std::optional<int32_t>(151643));
        QVERIFY(!qwen2->bosId());
        QVERIFY(qwen2->isSpecial(151644));
        QVERIFY(!qwen2->isSpecial(151657)); // <tool_call>: added, not special
        QCOMPARE(qwen2->vocabSize(), 151669);
        QCOMPARE(Tokenizer::load(data("gpt2"))->encode("Hello, world!"), (std::vector<int32_t>{15496, 11, 995, 0}));
        const auto mistral = Tokenizer::load(data("mistral"));
        QCOMPARE(mistral->encode("Hello world!", {.parseSpecial = false, .addSpecial = true}),
                 (std::vector<int32_t>{1, 22557, 1526, 28808}));
#ifdef VORA_WITH_SENTENCEPIECE
        QCOMPARE(Tokenizer::load(data("mistral_sp"))->encode("Hello world!", {.parseSpecial = false, .addSpecial = true}),
                 (std::vector<int32_t>{1, 22557, 1526, 28808}));
#else // built without the sentencepiece module (the asan preset): a clear refusal
        QVERIFY_THROWS_EXCEPTION(Error, Tokenizer::load(data("mistral_sp")));
#endif
    }

    void specialTokensAreTextUnlessParsed()
    {
        const auto qwen2 = Tokenizer::load(data("qwen2"));
        const auto safe = qwen2->encode("<|im_start|>system");
        QVERIFY(std::find(safe.begin(), safe.end(), 151644) == safe.end());
        QCOMPARE(qwen2->decode(safe), std::string("<|im_start|>system"));
        const auto parsed = qwen2->encode("<|im_start|>system", {.parseSpecial = true, .addSpecial = false});
        QCOMPARE(parsed.front(), 151644);
        QCOMPARE(qwen2->decode(parsed, true), std::string("system"));
        // A non-special added token matches in both modes, as in HF.
        QCOMPARE(qwen2->encode("<think>"), (std::vector<int32_t>{151667}));
    }

    void streamingEqualsDecode_data()
    {
        QTest::addColumn<QString>("tokenizer");
        QTest::addColumn<QString>("text");
#ifdef VORA_WITH_SENTENCEPIECE
        const auto tokenizers = {"qwen2", "gpt2", "mistral", "mistral_sp"};
#else // built without the sentencepiece module (the asan preset)
        const auto tokenizers = {"qwen2", "gpt2", "mistral"};
#endif
        for (const char* tok : tokenizers) {
            QTest::newRow((std::string(tok) + " emoji").c_str()) << tok << "Hi 👨‍👩‍👧‍👦 and 👍🏽!";
            QTest::newRow((std::string(tok) + " cjk").c_str()) << tok << "日本語のテキスト、中文字符 한국어";
            QTest::newRow((std::string(tok) + " leading space").c_str()) << tok << "  two leading spaces\n\nx";
            QTest::newRow((std::string(tok) + " specials").c_str()) << tok << "<s>a</s><|im_end|>b";
        }
    }

    void streamingEqualsDecode()
    {
        QFETCH(QString, tokenizer);
        QFETCH(QString, text);
        const auto tok = Tokenizer::load(data(tokenizer.toStdString()));
        const auto ids = tok->encode(text.toStdString(), {.parseSpecial = true, .addSpecial = true});
        for (const bool skip : {true, false}) {
            QCOMPARE(streamAll(*tok, ids, skip), tok->decode(ids, skip));
        }
    }

    void streamingHoldsSplitCharacters()
    {
        const auto qwen2 = Tokenizer::load(data("qwen2"));
        // The bytes of U+1F600 as four byte-level tokens: nothing until the last one.
        std::vector<int32_t> bytes;
        for (const unsigned char b : std::string("\xF0\x9F\x98\x80")) {
            bytes.push_back(*qwen2->tokenToId(byteLevelChar(b)));
        }
        StreamingDecoder decoder(*qwen2);
        std::string out;
        for (std::size_t i = 0; i < bytes.size(); ++i) {
            const std::string piece = decoder.push(bytes[i]);
            QCOMPARE(piece.empty(), i + 1 < bytes.size());
            out += piece;
        }
        QCOMPARE(out, std::string("\xF0\x9F\x98\x80"));
        // A truncated sequence comes out as U+FFFD at flush, as decode() gives it.
        StreamingDecoder truncated(*qwen2);
        QVERIFY(truncated.push(bytes[0]).empty());
        QCOMPARE(truncated.flush(), qwen2->decode({bytes[0]}));
    }

    void nfcComposes()
    {
        QCOMPARE(unicode::nfc(std::string("e\xCC\x81")), std::string("\xC3\xA9"));              // e + acute
        QCOMPARE(unicode::nfc(std::string("\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB")), std::string("한"));  // jamo
        QCOMPARE(unicode::nfc(std::string("a\xCC\x87\xCC\xA3")), std::string("\xE1\xBA\xA1\xCC\x87")); // reorder
    }

    void errorsAreTyped()
    {
        QCOMPARE(loadError(data("does-not-exist")), ErrorCode::FileNotFound);
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        std::ofstream(root + "/corrupt.json") << "{\"model\": [1, 2";
        QCOMPARE(loadError(root + "/corrupt.json"), ErrorCode::CorruptFile);
        std::ofstream(root + "/wordpiece.json") << R"({"model": {"type": "WordPiece", "vocab": {}}})";
        QCOMPARE(loadError(root + "/wordpiece.json"), ErrorCode::UnsupportedFormat);
        std::ofstream(root + "/regex.json")
            << R"({"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "\\w+"}, "behavior": "Isolated"},
                  "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}})";
        QCOMPARE(loadError(root + "/regex.json"), ErrorCode::UnsupportedFormat);
        std::ofstream(root + "/merge.json") << R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a b"]}})";
        QCOMPARE(loadError(root + "/merge.json"), ErrorCode::InvalidConfig);
        std::ofstream(root + "/bad.model") << "not a sentencepiece model";
#ifdef VORA_WITH_SENTENCEPIECE
        QCOMPARE(loadError(root + "/bad.model"), ErrorCode::CorruptFile);
#else // without the module (the asan preset) no .model file can be read
        QCOMPARE(loadError(root + "/bad.model"), ErrorCode::UnsupportedFormat);
#endif
        QCOMPARE(loadError(root), ErrorCode::FileNotFound); // a folder without tokenizer files
        // A number out of double's range is nlohmann's out_of_range, not a parse_error (found by fuzzing):
        // still a clean CorruptFile, in tokenizer.json and in tokenizer_config.json.
        std::ofstream(root + "/huge-number.json") << R"({"model": {"type": "BPE", "vocab": {"a": 2e322}, "merges": []}})";
        QCOMPARE(loadError(root + "/huge-number.json"), ErrorCode::CorruptFile);
        QDir(dir.path()).mkdir("huge-config");
        std::ofstream(root + "/huge-config/tokenizer.json") << R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}})";
        std::ofstream(root + "/huge-config/tokenizer_config.json") << R"({"model_max_length": 1e400})";
        QCOMPARE(loadError(root + "/huge-config"), ErrorCode::CorruptFile);
    }

    void invalidUtf8IsReplaced()
    {
        const auto qwen2 = Tokenizer::load(data("qwen2"));
        QCOMPARE(qwen2->decode(qwen2->encode("a\xFF" "b")), std::string("a\xEF\xBF\xBD" "b"));
        QCOMPARE(qwen2->decode({-5, 9707, 99999999}), std::string("Hello"));
    }
};

QTEST_GUILESS_MAIN(TestTokenizer)
#include "test_tokenizer.moc"
