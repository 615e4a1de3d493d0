// generation_config.json's one parser and the defaults it gives (core/generation/generation_config.h).
#include "core/error.h"
#include "core/generation/generation_config.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using namespace vora::core;

class TestGenerationConfig : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void noFileGivesTheBuiltInDefaults()
    {
        QTemporaryDir dir;
        const auto config = loadGenerationConfig(dir.path().toStdString());
        QVERIFY(!config.has_value());
        const GenerationSettings settings = defaultGenerationSettings(config);
        QCOMPARE(settings, GenerationSettings{});
        QCOMPARE(settings.sampling.temperature, 0.7);
        QCOMPARE(settings.sampling.topP, 0.8);
        QCOMPARE(settings.sampling.topK, 20);
        QCOMPARE(settings.sampling.repetitionPenalty, 1.0);
        QCOMPARE(settings.stop.maxNewTokens, 512);
    }

    void everyKeyTheFileSetsWins()
    {
        const GenerationConfig config = parseGenerationConfig(
            R"({"do_sample": true, "temperature": 0.6, "top_p": 0.95, "top_k": 40, "min_p": 0.05,
                "repetition_penalty": 1.05, "max_new_tokens": 300, "min_new_tokens": 2,
                "stop_strings": "</answer>", "eos_token_id": [151645, 151643], "pad_token_id": 151643,
                "transformers_version": "4.50.3"})",
            "generation_config.json");
        const GenerationSettings s = defaultGenerationSettings(config);
        QCOMPARE(s.sampling.temperature, 0.6);
        QCOMPARE(s.sampling.topP, 0.95);
        QCOMPARE(s.sampling.topK, 40);
        QCOMPARE(s.sampling.minP, 0.05);
        QCOMPARE(s.sampling.repetitionPenalty, 1.05);
        QCOMPARE(s.sampling.seed, int64_t(-1));
        QCOMPARE(s.stop.maxNewTokens, 300);
        QCOMPARE(s.stop.minNewTokens, 2);
        QCOMPARE(s.stop.stopStrings, std::vector<std::string>{"</answer>"});
        QCOMPARE(s.stop.eosIds, (std::vector<int64_t>{151645, 151643}));
        QCOMPARE(config.padTokenId, std::optional<int64_t>(151643));
    }

    // What transformers does with the same file: keys left out take its defaults, and without
    // do_sample it decodes greedily whatever the temperature says.
    void keysLeftOutTakeTransformersDefaults()
    {
        const GenerationSettings s = defaultGenerationSettings(
            parseGenerationConfig(R"({"temperature": 0.3, "eos_token_id": 2, "min_p": null})", "g.json"));
        QCOMPARE(s.sampling.temperature, 0.0);
        QVERIFY(s.sampling.greedy());
        QCOMPARE(s.sampling.topP, 1.0);
        QCOMPARE(s.sampling.topK, 50);
        QCOMPARE(s.sampling.minP, 0.0);
        QCOMPARE(s.sampling.repetitionPenalty, 1.0);
        QCOMPARE(s.stop.maxNewTokens, 512);
        QCOMPARE(s.stop.eosIds, std::vector<int64_t>{2});
        const GenerationSettings sampled = defaultGenerationSettings(parseGenerationConfig(R"({"do_sample": true})", "g.json"));
        QCOMPARE(sampled.sampling.temperature, 1.0);
    }

    void badInputIsNamed_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("message");
        QTest::newRow("not JSON") << "{" << "not valid JSON";
        QTest::newRow("not an object") << "[1]" << "not a JSON object";
        QTest::newRow("text for a number") << R"({"temperature": "hot"})" << R"("temperature" must be a finite number)";
        QTest::newRow("fraction for an integer") << R"({"top_k": 2.5})" << R"("top_k" must be an integer)";
        QTest::newRow("number for a switch") << R"({"do_sample": 1})" << R"("do_sample" must be true or false)";
        QTest::newRow("bad stop string") << R"({"stop_strings": ["a", 3]})" << R"("stop_strings" must be a string or a list)";
        QTest::newRow("bad eos id") << R"({"eos_token_id": "2"})" << R"("eos_token_id" must be an integer from)";
    }

    void badInputIsNamed()
    {
        QFETCH(QString, json);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("generation_config.json")).toStdString();
        std::ofstream(path) << json.toStdString();
        try {
            loadGenerationConfig(dir.path().toStdString());
            QFAIL("bad input must throw");
        } catch (const Error& error) {
            QCOMPARE(error.code(), ErrorCode::InvalidConfig);
            QVERIFY2(QString::fromUtf8(error.what()).contains(QString::fromStdString(path)), error.what());
            QVERIFY2(QString::fromUtf8(error.what()).contains(message), error.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestGenerationConfig)
#include "test_generation_config.moc"
