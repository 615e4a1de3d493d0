// Compare on real models: the tiny test base and a merged copy made here by a real `vora train`
// (30 "teach it to see" steps, ~10 s, enough for the tuned model to start its answer with "re" where
// the untrained base gives undecodable bytes) and `vora merge`. Each pane must hold exactly the text `vora run` gives
// for the same model, image and question with the same greedy settings; the base reads text only, so
// it (like `vora run` without --image) gets the question alone. A deleted folder fails its own pane
// while the other still answers.
#include "app/inference/chat_backend_factory.h"
#include "tests/training/training_fixtures.h"
#include "ui/finetune/compare_view.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

using namespace vora;

namespace {

const QString kBase = QStringLiteral(VORA_TEST_DATA_DIR "/training/base");
const QString kVora = QStringLiteral(VORA_CLI_PATH);
constexpr int kWaitMs = 120000;
constexpr int kNewTokens = 12;
const QString kQuestion = QStringLiteral("Colour?"); // the data set's question: the tuned model has learnt to answer it

// Runs `vora arguments`; fails the test (empty result) unless it exits 0.
QByteArray runVora(const QStringList& arguments)
{
    QProcess process;
    process.start(kVora, arguments);
    if (!process.waitForFinished(kWaitMs) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        qWarning("vora %s failed: %s", qPrintable(arguments.join(QLatin1Char(' '))), process.readAllStandardError().constData());
        return {};
    }
    return process.readAllStandardOutput();
}

// The answer `vora run --json` gives with Compare's greedy settings (its last stdout line is the JSON).
QString cliAnswer(const QString& model, const QString& image)
{
    QStringList arguments{"run", "--model", model, "--prompt", kQuestion, "--device", "cpu", "--temperature", "0",
                          "--repetition-penalty", "1", "--min-new-tokens", "0", "--max-new-tokens", QString::number(kNewTokens), "--json"};
    if (!image.isEmpty()) {
        arguments << "--image" << image;
    }
    const QList<QByteArray> lines = runVora(arguments).trimmed().split('\n');
    return QJsonDocument::fromJson(lines.last()).object().value(QStringLiteral("text")).toString();
}

bool waitForCompare(ui::CompareView& view)
{
    return QTest::qWaitFor([&] { return !view.isComparing(); }, kWaitMs);
}

} // namespace

class TestFinetuneCompare : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        vora::testing::writeTrainingDataSet(m_dir.path().toStdString());
        m_image = m_dir.filePath(QStringLiteral("red.bmp"));
        const QString run = m_dir.filePath(QStringLiteral("run"));
        QVERIFY(!runVora({"train", "--model", kBase, "--data", m_dir.filePath(QStringLiteral("data.jsonl")), "--out", run,
                          "--stage", "pretrain", "--lora-rank", "4", "--lora-layers", "2", "--image-size", "56", "--patch-size", "14",
                          "--vision-width", "32", "--dtype", "float32", "--warmup-steps", "2", "--lr", "5e-2", "--max-text-len", "128",
                          "--batch-size", "2", "--max-steps", "30"})
                     .isEmpty());
        m_merged = m_dir.filePath(QStringLiteral("base-merged"));
        QVERIFY(!runVora({"merge", "--model", kBase, "--checkpoint", run, "--out", m_merged}).isEmpty());
        m_baseAnswer = cliAnswer(kBase, {});
        m_mergedAnswer = cliAnswer(m_merged, m_image);
        QVERIFY(!m_baseAnswer.isEmpty());
        QVERIFY(!m_mergedAnswer.isEmpty());
        qInfo("vora run answers: base \"%s\", merged \"%s\"", qPrintable(m_baseAnswer), qPrintable(m_mergedAnswer));
        QVERIFY(m_baseAnswer != m_mergedAnswer); // otherwise a pane showing the wrong side would pass
    }

    // Both panes: the folder's name, the CLI's exact greedy text, and the times; run twice, the same.
    void bothSidesMatchTheCli()
    {
        ui::CompareView view(&app::createDefaultChatBackend);
        view.setLoadOptions({QStringLiteral("cpu"), QStringLiteral("auto"), 0});
        view.setModels(kBase, m_merged);
        view.setSample(m_image, kQuestion);
        view.maxNewTokens()->setValue(kNewTokens);
        view.resize(900, 500);
        view.show();
        QCOMPARE(view.title(0)->text(), QStringLiteral("base"));
        QCOMPARE(view.title(1)->text(), QStringLiteral("base-merged"));
        for (int run = 0; run < 2; ++run) {
            QTest::mouseClick(view.compareButton(), Qt::LeftButton);
            QVERIFY(view.isComparing());
            QCOMPARE(view.compareButton()->text(), QStringLiteral("Stop"));
            QVERIFY(view.noteLabel()->text().contains(QStringLiteral("one model in memory at a time")));
            QVERIFY(waitForCompare(view));
            QCOMPARE(view.answer(0)->toPlainText(), m_baseAnswer);
            QCOMPARE(view.answer(1)->toPlainText(), m_mergedAnswer);
            QVERIFY2(view.status(0)->text().contains(QStringLiteral("answered in")), qPrintable(view.status(0)->text()));
            QVERIFY(view.status(0)->text().contains(QStringLiteral("reads text only"))); // the base has no vision yet
            QVERIFY(view.status(1)->text().contains(QStringLiteral("answered in")));
            QVERIFY(!view.status(1)->text().contains(QStringLiteral("reads text only")));
            QCOMPARE(view.compareButton()->text(), QStringLiteral("Compare"));
        }
    }

    // One folder deleted: its pane says why, the other side answers as before.
    void aDeletedFolderFailsOnlyItsSide()
    {
        for (int gone = 0; gone < 2; ++gone) {
            const QString copy = m_dir.filePath(QStringLiteral("deleted-%1").arg(gone));
            QVERIFY(QDir().mkpath(copy));
            for (const QString& name : QDir(m_merged).entryList(QDir::Files)) {
                QVERIFY(QFile::copy(m_merged + QLatin1Char('/') + name, copy + QLatin1Char('/') + name));
            }
            ui::CompareView view(&app::createDefaultChatBackend);
            view.setLoadOptions({QStringLiteral("cpu"), QStringLiteral("auto"), 0});
            view.setModels(gone == 0 ? copy : kBase, gone == 0 ? m_merged : copy);
            view.setSample(m_image, kQuestion);
            view.maxNewTokens()->setValue(kNewTokens);
            view.show();
            QVERIFY(QDir(copy).removeRecursively());
            view.compare();
            QVERIFY(waitForCompare(view));
            const int other = 1 - gone;
            QVERIFY2(view.status(gone)->text().contains(QStringLiteral("Failed:")), qPrintable(view.status(gone)->text()));
            QVERIFY2(view.status(gone)->text().contains(QStringLiteral("deleted-%1").arg(gone)), qPrintable(view.status(gone)->text()));
            QVERIFY(view.answer(gone)->toPlainText().isEmpty());
            QCOMPARE(view.answer(other)->toPlainText(), other == 0 ? m_baseAnswer : m_mergedAnswer);
            QVERIFY(view.status(other)->text().contains(QStringLiteral("answered in")));
        }
    }

private:
    QTemporaryDir m_dir;
    QString m_image;
    QString m_merged;
    QString m_baseAnswer;
    QString m_mergedAnswer;
};

QTEST_MAIN(TestFinetuneCompare)
#include "test_finetune_compare.moc"
