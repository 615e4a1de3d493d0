// The one table of training options: every option survives command line -> options -> saved run
// config -> options; bad values are refused naming the flag (or the file and key); the schema the
// fine-tune wizard reads lists every option with its default.
#include "core/error.h"
#include "training/train_option_table.h"

#include <QTest>

#include <set>

using namespace vora::training;
using nlohmann::json;

namespace {

// A command-line value of the row's kind that differs from its default and lies in its range.
std::vector<std::string> nonDefaultText(const TrainOptionDecl& row)
{
    const json byDefault = row.defaultValue();
    switch (row.kind) {
    case OptionKind::Switch:
        return {""};
    case OptionKind::Path:
    case OptionKind::Text:
        return {"some/" + row.flag};
    case OptionKind::PathList:
        return {"first/" + row.flag, "second/" + row.flag};
    case OptionKind::Choice:
        return {json(row.choices.back()) != byDefault ? row.choices.back() : row.choices.front()};
    case OptionKind::ChoiceList:
        return {row.choices[0] + "," + row.choices[2]};
    case OptionKind::Integer: {
        const int64_t base = byDefault.get<int64_t>();
        const bool roomAbove = !row.max || static_cast<double>(base + 3) <= *row.max;
        return {std::to_string(roomAbove ? base + 3 : base - 3)};
    }
    case OptionKind::Number: {
        const double base = byDefault.is_null() ? 16.0 : byDefault.get<double>();
        return {std::to_string(base > 0 ? base * 0.5 : base + 0.25)};
    }
    }
    return {};
}

std::string errorOf(const std::function<void()>& action)
{
    try {
        action();
    } catch (const vora::core::Error& error) {
        return error.what();
    }
    return {};
}

} // namespace

class TestTrainOptions : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyOptionRoundTripsThroughTheSavedConfig()
    {
        std::vector<std::pair<std::string, std::vector<std::string>>> arguments;
        for (const TrainOptionDecl& row : trainOptionTable()) {
            arguments.emplace_back(row.flag, nonDefaultText(row));
        }
        TrainOptions fromFlags;
        applyTrainArguments(fromFlags, arguments);

        int changed = 0;
        for (const TrainOptionDecl& row : trainOptionTable()) {
            QVERIFY2(row.get(fromFlags) != row.defaultValue(), row.flag.c_str()); // the flag took effect
            ++changed;
        }
        QCOMPARE(changed, static_cast<int>(trainOptionTable().size()));
        QVERIFY(trainOptionTable().size() >= 38);

        TrainOptions restored;
        applyTrainConfigJson(restored, toJson(fromFlags), "state.json");
        TrainOptions expected = fromFlags;
        expected.resume = false; // how to run, not what: not part of the saved config
        expected.overwrite = false;
        expected.quiet = false;
        QVERIFY(restored == expected);
        QVERIFY(!(restored == fromFlags));
    }

    void configKeysAcceptDashesAndUnderscores()
    {
        TrainOptions o;
        applyTrainConfigJson(o, R"({"lora_rank": 8, "image-attention": "causal", "lora_targets": "q_proj, v_proj",
                                    "val_data": ["a.jsonl", "b.jsonl"], "lora_alpha": 16, "seed": 18446744073709551615})",
                             "run.json");
        QCOMPARE(o.loraRank, 8);
        QVERIFY(o.imageAttention == vora::core::VisionAttentionMask::Causal);
        QCOMPARE(o.loraTargets, (std::vector<std::string>{"q_proj", "v_proj"}));
        QCOMPARE(o.valDataFiles, (std::vector<std::string>{"a.jsonl", "b.jsonl"}));
        QCOMPARE(o.effectiveLoraScale(), 2.0);
        QCOMPARE(o.seed, UINT64_MAX);
        applyTrainConfigJson(o, R"({"lora-alpha": null, "max_steps": 1e3})", "run.json");
        QVERIFY(!o.loraAlpha.has_value());
        QCOMPARE(o.maxSteps, int64_t(1000)); // a whole number written as a float is still whole
    }

    void badFlagValuesNameTheFlag_data()
    {
        QTest::addColumn<QString>("flag");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("problem");
        QTest::newRow("int overflow") << "lora-rank" << "4294967297" << "from 1 to 65536";
        QTest::newRow("fraction for an integer") << "lora-rank" << "1.5" << "whole number";
        QTest::newRow("rank zero") << "lora-rank" << "0" << "from 1 to 65536";
        QTest::newRow("beyond 64 bits") << "max-steps" << "99999999999999999999" << "64 bits";
        QTest::newRow("negative seed") << "seed" << "-3" << "from 0 to 18446744073709551615";
        QTest::newRow("nan") << "lr" << "nan" << "finite";
        QTest::newRow("infinity") << "weight-decay" << "inf" << "finite";
        QTest::newRow("zero lr") << "lr" << "0" << "greater than 0";
        QTest::newRow("not a number") << "lora-scale" << "big" << "expects a number";
        QTest::newRow("unknown choice") << "image-attention" << "sideways" << "auto, bidirectional, causal";
        QTest::newRow("unknown target") << "lora-targets" << "q_proj,wq" << "\"wq\"";
        QTest::newRow("negative keep") << "keep-checkpoints" << "-1" << "from 0";
    }

    void badFlagValuesNameTheFlag()
    {
        QFETCH(QString, flag);
        QFETCH(QString, value);
        QFETCH(QString, problem);
        TrainOptions o;
        const std::string message = errorOf([&] { applyTrainArguments(o, {{flag.toStdString(), {value.toStdString()}}}); });
        QVERIFY2(message.rfind("--" + flag.toStdString() + ": ", 0) == 0, message.c_str());
        QVERIFY2(message.find(problem.toStdString()) != std::string::npos, message.c_str());
        QVERIFY(o == TrainOptions{}); // nothing was set
    }

    void badConfigValuesNameTheFileAndKey_data()
    {
        QTest::addColumn<QString>("config");
        QTest::addColumn<QString>("problem");
        QTest::newRow("int overflow") << R"({"lora_rank": 4294967297})" << "key \"lora_rank\": must be from 1 to 65536";
        QTest::newRow("fraction") << R"({"batch-size": 1.5})" << "key \"batch-size\": expects a whole number";
        QTest::newRow("wrong type") << R"({"lr": "fast"})" << "key \"lr\": expects a number";
        QTest::newRow("unknown key") << R"({"learning_rate": 1})" << "unknown key \"learning_rate\"";
        QTest::newRow("switch as text") << R"({"resume": "yes"})" << "key \"resume\": expects true or false";
        QTest::newRow("not an object") << R"([1, 2])" << "not a JSON object";
    }

    void badConfigValuesNameTheFileAndKey()
    {
        QFETCH(QString, config);
        QFETCH(QString, problem);
        TrainOptions o;
        const std::string message = errorOf([&] { applyTrainConfigJson(o, config.toStdString(), "run.json"); });
        QVERIFY2(message.rfind("run.json: ", 0) == 0, message.c_str());
        QVERIFY2(message.find(problem.toStdString()) != std::string::npos, message.c_str());
    }

    void combinationsAreChecked()
    {
        TrainOptions o;
        QCOMPARE(errorOf([&] { validateTrainOptions(o); }), std::string("--model is required"));
        o.modelDir = "m";
        o.dataFiles = {"d.jsonl"};
        o.outDir = "out";
        QCOMPARE(errorOf([&] { validateTrainOptions(o); }), std::string());
        o.imageSize = 100;
        QVERIFY(errorOf([&] { validateTrainOptions(o); }).find("--image-size (100) must be a multiple of --patch-size (14)") == 0);
        o.imageSize = 448;
        o.valEvery = 10;
        QCOMPARE(errorOf([&] { validateTrainOptions(o); }), std::string("--val-every needs --val-data or --val-share"));
        o.valShare = 0.1;
        QCOMPARE(errorOf([&] { validateTrainOptions(o); }), std::string());
        o.valDataFiles = {"v.jsonl"};
        QVERIFY(errorOf([&] { validateTrainOptions(o); }).find("--val-share and --val-data exclude each other") == 0);
    }

    void schemaListsEveryOptionWithItsDefault()
    {
        const json schema = json::parse(trainOptionsSchema().dump()); // as the wizard reads it
        const json& options = schema.at("options");
        QCOMPARE(options.size(), trainOptionTable().size());
        const std::set<std::string> types = {"path", "text", "choice", "integer", "number", "switch", "path_list", "choice_list"};
        std::set<std::string> flags;
        for (size_t i = 0; i < options.size(); ++i) {
            const json& entry = options[i];
            const TrainOptionDecl& row = trainOptionTable()[i];
            QCOMPARE(entry.at("flag").get<std::string>(), row.flag);
            QVERIFY(types.count(entry.at("type").get<std::string>()));
            QVERIFY(!entry.at("help").get<std::string>().empty());
            QVERIFY(!entry.at("group").get<std::string>().empty());
            QCOMPARE(entry.at("default"), row.defaultValue());
            QCOMPARE(entry.contains("choices"), row.kind == OptionKind::Choice || row.kind == OptionKind::ChoiceList);
            flags.insert(row.flag);
        }
        QCOMPARE(flags.size(), options.size());
        const json rank = options[std::distance(trainOptionTable().begin(),
                                                std::find_if(trainOptionTable().begin(), trainOptionTable().end(),
                                                             [](const TrainOptionDecl& r) { return r.flag == "lora-rank"; }))];
        QCOMPARE(rank.at("min").get<int>(), 1);
        QCOMPARE(rank.at("max").get<int>(), 65536);
        QCOMPARE(rank.at("default").get<int>(), 1024);
        QVERIFY(flags.count("image-attention") && flags.count("val-data") && flags.count("val-every")
                && flags.count("keep-checkpoints"));
    }
};

QTEST_GUILESS_MAIN(TestTrainOptions)
#include "test_train_options.moc"
