// Every corpus string must encode to exactly the ids HF tokenizers gives (with and without
// parsing special tokens) and decode to HF's text. Expected values: tests/reference/tokenizer_reference.py.
#include "core/tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <QTest>

#include <fstream>
#include <sstream>

using namespace vora::core;
using nlohmann::json;

namespace {

std::vector<json> readJsonLines(const std::string& path)
{
    std::ifstream in(path);
    std::vector<json> rows;
    std::string line;
    while (std::getline(in, line)) {
        rows.push_back(json::parse(line));
    }
    return rows;
}

std::string idsText(const std::vector<int32_t>& ids)
{
    return json(ids).dump();
}

} // namespace

class TestTokenizerParity : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void corpusMatchesHf_data()
    {
        QTest::addColumn<QString>("tokenizer");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<bool>("checkSpecial");
        QTest::newRow("qwen2 tokenizer.json") << "qwen2" << "qwen2" << true;
        QTest::newRow("mistral tokenizer.json") << "mistral" << "mistral" << true;
        QTest::newRow("gpt2 tokenizer.json") << "gpt2_json/tokenizer.json" << "gpt2" << true;
        QTest::newRow("gpt2 vocab.json+merges.txt") << "gpt2" << "gpt2" << true;
        QTest::newRow("mistral sentencepiece .model") << "mistral_sp/tokenizer.model" << "mistral_sp" << true;
    }

    void corpusMatchesHf()
    {
        QFETCH(QString, tokenizer);
        QFETCH(QString, expected);
        QFETCH(bool, checkSpecial);
        const std::string data = VORA_TEST_DATA_DIR;
        const auto tok = Tokenizer::load(data + "/tokenizers/" + tokenizer.toStdString());
        const auto corpus = readJsonLines(data + "/tokenizer_parity/corpus.jsonl");
        const auto rows = readJsonLines(data + "/tokenizer_parity/expected_" + expected.toStdString() + ".jsonl");
        QCOMPARE(rows.size(), corpus.size());
        QVERIFY(corpus.size() >= 2000);

        std::ostringstream report;
        int failures = 0;
        const auto fail = [&](std::size_t i, const std::string& what, const std::string& want, const std::string& got) {
            if (++failures <= 15) {
                report << "\n  #" << i << " " << corpus[i].dump() << " " << what << "\n    want " << want << "\n    got  "
                       << got;
            }
        };
        for (std::size_t i = 0; i < corpus.size(); ++i) {
            const std::string text = corpus[i].get<std::string>();
            const auto want = rows[i]["ids"].get<std::vector<int32_t>>();
            const auto got = tok->encode(text);
            if (got != want) {
                fail(i, "ids", idsText(want), idsText(got));
            }
            if (checkSpecial) {
                const auto wantSpecial = rows[i].contains("special") ? rows[i]["special"].get<std::vector<int32_t>>() : want;
                const auto gotSpecial = tok->encode(text, {.parseSpecial = true, .addSpecial = false});
                if (gotSpecial != wantSpecial) {
                    fail(i, "ids with parseSpecial", idsText(wantSpecial), idsText(gotSpecial));
                }
            }
            const std::string wantText = rows[i].contains("decoded") ? rows[i]["decoded"].get<std::string>() : text;
            const std::string gotText = tok->decode(want, expected == "mistral_sp");
            if (gotText != wantText) {
                fail(i, "decode", json(wantText).dump(), json(gotText).dump(-1, ' ', false, json::error_handler_t::replace));
            }
        }
        QVERIFY2(failures == 0, (std::to_string(failures) + " mismatches (first 15):" + report.str()).c_str());
    }
};

QTEST_GUILESS_MAIN(TestTokenizerParity)
#include "test_tokenizer_parity.moc"
