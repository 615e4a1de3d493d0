// `vora train`'s progress as scripts and people see it, and options given through a --config file, on the
// tiny Qwen2 base: JSON lines with validation and kept checkpoints, words at a terminal.
#include "cli_runner.h"
#include "train_cli_support.h"
#include "tests/training/training_fixtures.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

class TestCliTrainProgress : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_root = m_dir.path();
        vora::testing::writeTrainingDataSet(m_root.toStdString());
    }

    // A --config file (keys with '_') plus flags: the run saves the options it was given, validates
    // every step and at the end, keeps one checkpoint, and records the causal mode for the merge.
    void configFileWithValidationAndKeptCheckpoints()
    {
        const QString config = m_root + "/run.json";
        vora::testing::writeTextFile(config.toStdString(),
                                     R"({"lora_rank": 4, "lora_layers": 2, "image_size": 56, "patch_size": 14, "vision_width": 32,
                                         "dtype": "float32", "warmup_steps": 2, "lr": 5e-3, "max_text_len": 128, "batch_size": 2,
                                         "val_data": [")" + (m_root + "/data.jsonl").toStdString()
                                         + R"("], "val_every": 1, "save_every": 1, "keep_checkpoints": 1, "image_attention": "causal"})");
        const QString out = m_root + "/configured";
        const CliResult run = runVora({"train", "--config", config, "--model", kBase, "--data", m_root + "/data.jsonl",
                                       "--image-root", m_root, "--out", out, "--max-steps", "2", "--save-every", "2"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QList<QJsonObject> lines = jsonLines(run.out);
        QList<int> validated;
        for (const QJsonObject& line : lines) {
            if (eventName(line) == "validation") {
                validated.push_back(step(line));
                QCOMPARE(line.value("val_samples").toInt(), 4);
                QVERIFY(line.value("val_loss").toDouble() > 0);
            }
        }
        QCOMPARE(validated, (QList<int>{1, 2}));
        QCOMPARE(findEvent(lines, "start").value("image_attention").toString(), QString("causal"));
        QCOMPARE(QDir(out + "/checkpoints").entryList({"step-*"}, QDir::Dirs), QStringList{"step-00000002"}); // flag beat the file

        QFile stateFile(out + "/checkpoints/step-00000002/state.json");
        QVERIFY(stateFile.open(QIODevice::ReadOnly));
        const QJsonObject state = QJsonDocument::fromJson(stateFile.readAll()).object();
        QCOMPARE(state.value("validation").toObject().value("step").toInt(), 2);
        QJsonObject saved = state.value("options").toObject();
        // The same options as flags only: the same saved run config.
        const QString flagsOut = m_root + "/flags-only";
        const CliResult flagsOnly = runVora(trainArgs(m_root, flagsOut, 1) << "--save-every" << "2" << "--val-data"
                                                                            << m_root + "/data.jsonl" << "--val-every" << "1"
                                                                            << "--keep-checkpoints" << "1" << "--image-attention" << "causal");
        QVERIFY2(flagsOnly.exitCode == 0, flagsOnly.err.constData());
        QFile flagsState(flagsOut + "/checkpoints/step-00000001/state.json");
        QVERIFY(flagsState.open(QIODevice::ReadOnly));
        QJsonObject expected = QJsonDocument::fromJson(flagsState.readAll()).object().value("options").toObject();
        expected["out"] = out;
        expected["max-steps"] = 2;
        QCOMPARE(saved, expected);
    }

    // At a terminal: one rewritten status line in words; progress.jsonl still gets the JSON lines.
    void terminalShowsProgressInWords()
    {
        const QString out = m_root + "/terminal";
        QStringList quoted;
        for (const QString& arg : QStringList{VORA_CLI_PATH} + trainArgs(m_root, out, 2)) {
            quoted.push_back("'" + arg + "'");
        }
        QProcess script; // util-linux `script` runs the command on a pseudo-terminal
        script.start("script", {"-qec", quoted.join(' '), "/dev/null"});
        if (!script.waitForStarted()) {
            QSKIP("util-linux `script` is not installed");
        }
        QVERIFY(script.waitForFinished(120000));
        QCOMPARE(script.exitCode(), 0);
        const QByteArray shown = script.readAllStandardOutput();
        QVERIFY2(shown.contains("step 2/2  loss ") && shown.contains(" tok/s"), shown.constData());
        QVERIFY2(shown.contains("step 1/2") && shown.contains("ETA "), shown.constData());
        QVERIFY2(!shown.contains("\"event\""), shown.constData());
        QVERIFY(shown.contains("finished all 2 steps"));
        QFile progress(out + "/progress.jsonl");
        QVERIFY(progress.open(QIODevice::ReadOnly));
        QCOMPARE(jsonLines(progress.readAll()).size(), 5); // start, 2 steps, checkpoint, done
    }

private:
    QTemporaryDir m_dir;
    QString m_root;
};

QTEST_GUILESS_MAIN(TestCliTrainProgress)
#include "test_cli_train_progress.moc"
