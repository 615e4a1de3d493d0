// The wizard's app-side parts with the real `vora` command on the tiny Qwen2 base: the data check lists
// every bad line with its number and kind (the trainer's own checks), the preview marks the trained
// turns, captions folders and CSVs become files the check accepts, the base model's parameter count
// agrees with a count read from the safetensors header here, fit verdicts at their boundaries, and
// each "make it fit" change lowers the trainer's own memory estimate, device names, and the sample and
// folders Compare starts with.
#include "app/finetune/base_model_info.h"
#include "app/finetune/data_check.h"
#include "app/finetune/dataset_import.h"
#include "app/finetune/job_error.h"
#include "app/finetune/memory_fit.h"
#include "app/finetune/model_comparison.h"
#include "app/finetune/step_time_trial.h"
#include "app/finetune/train_option_catalog.h"
#include "app/finetune/training_job.h"
#include "tests/training/training_fixtures.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace vora::app;

namespace {

const QString kBase = QStringLiteral(VORA_TEST_DATA_DIR "/training/base");
const QString kVora = QStringLiteral(VORA_CLI_PATH);

void writeFile(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
}

// Parameters counted from the safetensors header by hand: 8-byte little-endian length, then JSON.
qint64 headerParameterCount(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return -1;
    }
    const QByteArray lengthBytes = file.read(8);
    quint64 length = 0;
    for (int i = 7; i >= 0; --i) {
        length = (length << 8) | static_cast<quint8>(lengthBytes.at(i));
    }
    const QJsonObject header = QJsonDocument::fromJson(file.read(static_cast<qint64>(length))).object();
    qint64 total = 0;
    for (auto it = header.begin(); it != header.end(); ++it) {
        if (it.key() == QLatin1String("__metadata__")) {
            continue;
        }
        qint64 count = 1;
        for (const QJsonValue& dimension : it.value().toObject().value(QStringLiteral("shape")).toArray()) {
            count *= dimension.toInteger();
        }
        total += count;
    }
    return total;
}

} // namespace

class TestFinetuneWizardParts : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_catalog = TrainOptionCatalog::load(kVora);
    }

    void goodDataIsUsable()
    {
        const QString root = m_dir.filePath(QStringLiteral("good"));
        QDir().mkpath(root);
        const QString data = QString::fromStdString(vora::testing::writeTrainingDataSet(root.toStdString()));
        const DataCheckSummary summary = runDataCheck(kVora, {data, {}, kBase, 256});
        QCOMPARE(summary.lines, 4);
        QCOMPARE(summary.goodSamples, 4);
        QCOMPARE(summary.imageSamples + summary.textOnlySamples, 4);
        QVERIFY(summary.problems.isEmpty());
        QVERIFY(summary.usable());
        int histogramSamples = 0;
        for (const int count : summary.lengthHistogram) {
            histogramSamples += count;
        }
        QCOMPARE(histogramSamples, 4);

        const QList<PreviewSample> preview = readPreviewSamples(data, {}, 3);
        QCOMPARE(preview.size(), 3);
        QCOMPARE(preview.at(0).framePaths, QStringList{QDir(root).filePath(QStringLiteral("red.bmp"))});
        QCOMPARE(preview.at(0).turns.size(), 2);
        QCOMPARE(preview.at(0).turns.at(0).role, QStringLiteral("user"));
        QVERIFY(!preview.at(0).turns.at(0).trained);
        QCOMPARE(preview.at(0).turns.at(1).text, QStringLiteral("red"));
        QVERIFY(preview.at(0).turns.at(1).trained);
    }

    // Every bad line is listed with its number and the trainer's kind; the one good line is counted.
    void badLinesAreListed()
    {
        const QString root = m_dir.filePath(QStringLiteral("bad"));
        QDir().mkpath(root);
        vora::testing::writeBmp((root + QStringLiteral("/ok.bmp")).toStdString(), 16, 1, 2, 3);
        const QString data = root + QStringLiteral("/data.jsonl");
        writeFile(data, R"({"id":"1","frames":["ok.bmp"],"conversations":[{"from":"human","value":"<image>Q"},{"from":"gpt","value":"a"}]}
{"id":"2", broken
{"id":"3","frames":["missing.bmp"],"conversations":[{"from":"human","value":"<image>Q"},{"from":"gpt","value":"x"}]}
{"id":"4","conversations":[{"from":"human","value":"Q"},{"from":"gpt","value":""}]}
)");
        const DataCheckSummary summary = runDataCheck(kVora, {data, {}, kBase, 64});
        QCOMPARE(summary.lines, 4);
        QCOMPARE(summary.goodSamples, 1);
        QVERIFY(!summary.usable());
        QMap<int, QString> kinds;
        for (const DataLineProblem& problem : summary.problems) {
            kinds.insert(problem.line, problem.kind);
            QVERIFY(!problem.message.isEmpty());
        }
        const QMap<int, QString> expected{{2, QStringLiteral("bad-json")}, {3, QStringLiteral("missing-image")}, {4, QStringLiteral("empty-answer")}};
        QCOMPARE(kinds, expected);
        QVERIFY_THROWS_EXCEPTION(JobError, runDataCheck(kVora, {root + QStringLiteral("/absent.jsonl"), {}, {}, 64}));
    }

    void captionFolderAndCsvImport()
    {
        const QString root = m_dir.filePath(QStringLiteral("captions"));
        QDir().mkpath(root);
        for (const char* name : {"a", "b", "c"}) {
            vora::testing::writeBmp(QStringLiteral("%1/%2.bmp").arg(root, QLatin1String(name)).toStdString(), 16, 9, 9, 9);
        }
        writeFile(root + QStringLiteral("/a.txt"), "a grey square\n");
        writeFile(root + QStringLiteral("/b.txt"), "another, grey \"square\"");
        const QString jsonl = root + QStringLiteral("/from-folder.jsonl");
        const ImportResult folder = importCaptionFolder(root, jsonl);
        QCOMPARE(folder.samples, 2);
        QCOMPARE(folder.skipped, QStringList{QStringLiteral("c.bmp: no c.txt beside it")});
        QCOMPARE(runDataCheck(kVora, {jsonl, {}, {}, 64}).goodSamples, 2);

        const QString csv = root + QStringLiteral("/captions.csv");
        writeFile(csv, "image,prompt,caption\r\na.bmp,What is it?,\"a square, grey\"\nb.bmp,,\"two\nlines with \"\"quotes\"\"\"\nc.bmp,only two\n");
        const QString fromCsv = root + QStringLiteral("/from-csv.jsonl");
        const ImportResult table = importCaptionCsv(csv, fromCsv);
        QCOMPARE(table.samples, 2);
        QCOMPARE(table.skipped.size(), 1);
        QVERIFY(table.skipped.front().contains(QStringLiteral(":5: 2 columns, expected 3")));
        const QList<PreviewSample> samples = readPreviewSamples(fromCsv, {}, 10);
        QCOMPARE(samples.size(), 2);
        QCOMPARE(samples.at(0).turns.at(0).text, QStringLiteral("<image>What is it?"));
        QCOMPARE(samples.at(0).turns.at(1).text, QStringLiteral("a square, grey"));
        QCOMPARE(samples.at(1).turns.at(0).text, QStringLiteral("<image>") + kDefaultCaptionPrompt);
        QCOMPARE(samples.at(1).turns.at(1).text, QStringLiteral("two\nlines with \"quotes\""));
        QCOMPARE(runDataCheck(kVora, {fromCsv, {}, {}, 64}).goodSamples, 2);

        writeFile(csv, "file,text\nx.bmp,y\n");
        QVERIFY_THROWS_EXCEPTION(JobError, importCaptionCsv(csv, fromCsv));
    }

    void baseModelFacts()
    {
        const BaseModelInfo info = readBaseModelInfo(kBase);
        QCOMPARE(info.parameters, headerParameterCount(kBase + QStringLiteral("/model.safetensors")));
        QVERIFY(info.parameters > 0);
        QVERIFY(!info.sees); // a plain Qwen2: teaching it to see adds a fresh vision embedding
        QVERIFY(info.architecture.startsWith(QStringLiteral("qwen2 · ")));
        qint64 disk = 0;
        for (const QFileInfo& file : QDir(kBase).entryInfoList(QDir::Files)) {
            disk += file.size();
        }
        QCOMPARE(info.diskBytes, disk);
        QVERIFY_THROWS_EXCEPTION(JobError, readBaseModelInfo(m_dir.path()));
    }

    void fitVerdictBoundaries()
    {
        QCOMPARE(fitVerdict(80, 100), FitVerdict::Fits);
        QCOMPARE(fitVerdict(81, 100), FitVerdict::Tight);
        QCOMPARE(fitVerdict(100, 100), FitVerdict::Tight);
        QCOMPARE(fitVerdict(101, 100), FitVerdict::DoesNotFit);
        QCOMPARE(fitVerdict(1, 0), FitVerdict::DoesNotFit);
    }

    void deviceNames()
    {
        QVERIFY(sameDevice(QStringLiteral("cuda"), QStringLiteral("cuda:0")));
        QVERIFY(sameDevice(QStringLiteral("cuda:0"), QStringLiteral("cuda")));
        QVERIFY(sameDevice(QStringLiteral("cpu"), QStringLiteral("cpu")));
        QVERIFY(!sameDevice(QStringLiteral("cuda:1"), QStringLiteral("cuda")));
        QVERIFY(!sameDevice(QStringLiteral("cpu"), QStringLiteral("cuda:0")));
        QCOMPARE(chatModelBytesOn(nullptr, QStringLiteral("cpu")), 0);
    }

    // Validation files first, the first sample with an image in them, its <image> placeholder dropped;
    // the training file when there is no validation file; a text-only sample when no sample has an image;
    // a missing file is passed over.
    void comparisonSamples()
    {
        const QString root = m_dir.filePath(QStringLiteral("compare"));
        QDir().mkpath(root);
        writeFile(root + QStringLiteral("/train.jsonl"),
                  R"({"id":"t","frames":["a.bmp"],"conversations":[{"from":"human","value":"<image>Train q?"},{"from":"gpt","value":"x"}]})"
                  "\n");
        writeFile(root + QStringLiteral("/val.jsonl"),
                  R"({"id":"1","conversations":[{"from":"human","value":"Text only?"},{"from":"gpt","value":"x"}]})"
                  "\n"
                  R"({"id":"2","frames":["b.bmp"],"conversations":[{"from":"system","value":"s"},{"from":"human","value":"What is <image> here?"},{"from":"gpt","value":"y"}]})"
                  "\n");
        writeFile(root + QStringLiteral("/text.jsonl"),
                  R"({"id":"1","conversations":[{"from":"human","value":"Only words?"},{"from":"gpt","value":"x"}]})"
                  "\n");
        const QString missing = root + QStringLiteral("/gone.jsonl");
        const QString train = root + QStringLiteral("/train.jsonl");
        ComparisonSample sample = defaultComparisonSample({missing, root + QStringLiteral("/val.jsonl")}, train, QStringLiteral("/images"));
        QCOMPARE(sample.imagePath, QStringLiteral("/images/b.bmp"));
        QCOMPARE(sample.question, QStringLiteral("What is  here?"));
        sample = defaultComparisonSample({}, train, {});
        QCOMPARE(sample.imagePath, root + QStringLiteral("/a.bmp"));
        QCOMPARE(sample.question, QStringLiteral("Train q?"));
        sample = defaultComparisonSample({root + QStringLiteral("/text.jsonl")}, train, {});
        QCOMPARE(sample.imagePath, QString());
        QCOMPARE(sample.question, QStringLiteral("Only words?"));
        sample = defaultComparisonSample({missing}, {}, {});
        QVERIFY(sample.question.isEmpty() && sample.imagePath.isEmpty());

        // A finished merge: its --model and --out, and the sample of the training that wrote its run.
        TrainingJob training;
        training.kind = JobKind::Train;
        training.outDir = root + QStringLiteral("/run");
        training.arguments = {"train", "--model", "/models/base", "--data", train, "--val-data", root + QStringLiteral("/val.jsonl"),
                              "--image-root", "/images", "--out", training.outDir};
        TrainingJob other = training;
        other.outDir = root + QStringLiteral("/other-run");
        other.arguments = {"train", "--data", root + QStringLiteral("/text.jsonl"), "--out", other.outDir};
        TrainingJob merge;
        merge.kind = JobKind::Merge;
        merge.outDir = root + QStringLiteral("/run-merged");
        merge.arguments = {"merge", "--model", "/models/base", "--checkpoint", root + QStringLiteral("/./run"), "--out", merge.outDir};
        const MergeComparison comparison = comparisonForMerge(merge, {other, training, merge});
        QCOMPARE(comparison.baseDir, QStringLiteral("/models/base"));
        QCOMPARE(comparison.tunedDir, merge.outDir);
        QCOMPARE(comparison.sample.imagePath, QStringLiteral("/images/b.bmp"));
        QCOMPARE(comparisonForMerge(merge, {other}).sample.question, QString()); // its training is not in the queue
    }

    void checkpointsOnDisk()
    {
        const auto kept = [](int steps, int every, int keep) {
            return checkpointsKept({{QStringLiteral("max-steps"), steps}, {QStringLiteral("save-every"), every}, {QStringLiteral("keep-checkpoints"), keep}});
        };
        QCOMPARE(kept(40, 10, 0), 4);  // steps 10, 20, 30, 40 (the end is one of them)
        QCOMPARE(kept(45, 10, 0), 5);  // ... and the end at 45
        QCOMPARE(kept(40, 10, 2), 2);
        QCOMPARE(kept(40, 0, 0), 1);   // only at the end
        QCOMPARE(kept(0, 10, 0), 1);   // by epochs: not known yet
        QCOMPARE(checkpointsKept({}), 1);
    }

    // Each change lowers the trainer's estimate, and the sequence ends.
    void makeItFitLowersTheEstimate()
    {
        QJsonObject values{{QStringLiteral("model"), kBase},
                           {QStringLiteral("data"), QJsonArray{m_dir.filePath(QStringLiteral("good/data.jsonl"))}},
                           {QStringLiteral("out"), m_dir.filePath(QStringLiteral("run"))},
                           {QStringLiteral("stage"), QStringLiteral("finetune")},
                           {QStringLiteral("finetune-params"), QStringLiteral("lora")},
                           {QStringLiteral("lora-rank"), 32},
                           {QStringLiteral("lora-layers"), 2},
                           {QStringLiteral("batch-size"), 4},
                           {QStringLiteral("max-text-len"), 128}};
        MemoryNeed need = runMemoryEstimate(kVora, m_catalog.arguments(values));
        QVERIFY(need.totalBytes > 0);
        QStringList steps;
        while (const std::optional<FitChange> change = nextFitChange(values, m_catalog)) {
            const MemoryNeed lower = runMemoryEstimate(kVora, m_catalog.arguments(change->values));
            QVERIFY2(lower.totalBytes < need.totalBytes, qPrintable(change->description));
            steps.push_back(change->description);
            values = change->values;
            need = lower;
            QVERIFY(steps.size() < 10);
        }
        QCOMPARE(steps.size(), 5); // checkpointing, batch 4 -> 2 -> 1, rank 32 -> 16 -> 8
        QCOMPARE(values.value(QStringLiteral("grad-accum")).toInt(), 4);
        QCOMPARE(values.value(QStringLiteral("lora-rank")).toInt(), 8);
    }

    // The trial times real steps of the tiny base on the CPU, in a folder of its own that is gone after;
    // the seconds per step agree with the step lines' own times, and the ETA is steps x s/step.
    void stepTimeTrialMeasures()
    {
        const QString run = m_dir.filePath(QStringLiteral("trial-real-run"));
        const QJsonObject values{{QStringLiteral("model"), kBase},
                                 {QStringLiteral("data"), QJsonArray{m_dir.filePath(QStringLiteral("good/data.jsonl"))}},
                                 {QStringLiteral("out"), run},
                                 {QStringLiteral("stage"), QStringLiteral("finetune")},
                                 {QStringLiteral("finetune-params"), QStringLiteral("lora")},
                                 {QStringLiteral("lora-rank"), 8},
                                 {QStringLiteral("lora-layers"), 2},
                                 {QStringLiteral("max-steps"), 500},
                                 {QStringLiteral("image-size"), 56},
                                 {QStringLiteral("patch-size"), 14},
                                 {QStringLiteral("vision-width"), 32},
                                 {QStringLiteral("dtype"), QStringLiteral("float32")},
                                 {QStringLiteral("max-text-len"), 128},
                                 {QStringLiteral("val-share"), 0.25},
                                 {QStringLiteral("val-every"), 10}};
        const QStringList trainArguments = m_catalog.arguments(values);
        QVERIFY(trainArguments.contains(QStringLiteral("--val-share")));
        const QStringList trial = trialArguments(trainArguments, QStringLiteral("/tmp/x"));
        // The trial trains on all the data and validates nothing: only training steps are timed.
        QVERIFY(!trial.contains(QStringLiteral("--val-share")) && !trial.contains(QStringLiteral("--val-every")));
        QCOMPARE(trial.count(QStringLiteral("--out")), 1);
        QCOMPARE(trial.at(trial.indexOf(QStringLiteral("--max-steps")) + 1), QString::number(kTrialSteps));
        QVERIFY(!trial.contains(run));

        StepTimeTrial timer(kVora);
        QSignalSpy measured(&timer, &StepTimeTrial::measured);
        QSignalSpy failed(&timer, &StepTimeTrial::failed);
        timer.start(trainArguments);
        QVERIFY(timer.running());
        QVERIFY(measured.wait(120000) || !failed.isEmpty());
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
        const auto timing = measured.first().first().value<StepTiming>();
        QCOMPARE(timing.measuredSteps, kTrialSteps - 1);
        QVERIFY(timing.secondsPerStep > 0.0);
        QCOMPARE(trainingEtaSeconds(500, timing.secondsPerStep), 500 * timing.secondsPerStep);
        QVERIFY(!timer.running());
        QVERIFY(!QFileInfo::exists(run)); // the real run folder was never made

        // A progress file with one step cannot time a step; the error names the file.
        const QString one = m_dir.filePath(QStringLiteral("one-step.jsonl"));
        writeFile(one, R"({"event":"start","time":1.0}
{"event":"step","step":1,"time":2.5}
)");
        QVERIFY_THROWS_EXCEPTION(JobError, stepTimingFromProgress(one));
        const QString three = m_dir.filePath(QStringLiteral("three-steps.jsonl"));
        writeFile(three, R"({"event":"step","step":1,"time":10.0}
{"event":"validation","step":1,"time":11.0}
{"event":"step","step":2,"time":12.0}
{"event":"step","step":3,"time":13.0}
)");
        const StepTiming parsed = stepTimingFromProgress(three);
        QCOMPARE(parsed.measuredSteps, 2);
        QCOMPARE(parsed.secondsPerStep, 1.5);

        // Cancelling kills the child and emits nothing.
        StepTimeTrial cancelled(kVora);
        QSignalSpy cancelledSpy(&cancelled, &StepTimeTrial::measured);
        cancelled.start(trainArguments);
        cancelled.cancel();
        QVERIFY(!cancelled.running());
        QTest::qWait(200);
        QCOMPARE(cancelledSpy.size(), 0);
    }

private:
    QTemporaryDir m_dir;
    TrainOptionCatalog m_catalog;
};

QTEST_GUILESS_MAIN(TestFinetuneWizardParts)
#include "test_finetune_wizard_parts.moc"
