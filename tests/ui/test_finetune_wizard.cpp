// The Fine-tune page end to end in a real window, with real `vora` children on the tiny Qwen2 base on
// the CPU: the base model's facts, a bad data file listed line by line, the command line built from
// the trainer's catalog, fit verdicts against a fixed device memory and "make it fit", a training
// whose progress reaches the charts, pause and resume from the run page and the queue list, the
// merge, Compare offered on the merged model, "Chat with it" opening the merged model in the chat, and a
// model loaded in the chat counted on the fit step.
#include "app/chat/conversation_controller.h"
#include "app/finetune/job_list_model.h"
#include "app/finetune/memory_fit.h"
#include "app/finetune/run_folder_probe.h"
#include "app/finetune/train_option_catalog.h"
#include "app/finetune/training_job_queue.h"
#include "app/finetune/training_progress.h"
#include "app/inference/fake_chat_backend.h"
#include "app/settings/app_settings.h"
#include "app/storage/conversation_store.h"
#include "tests/training/training_fixtures.h"
#include "tests/ui/finetune_fixture.h"
#include "ui/chat/code_highlighting.h"
#include "ui/finetune/base_model_page.h"
#include "ui/finetune/compare_view.h"
#include "ui/finetune/data_page.h"
#include "ui/finetune/finetune_panel.h"
#include "ui/finetune/finetune_wizard.h"
#include "ui/finetune/fit_page.h"
#include "ui/finetune/jobs_view.h"
#include "ui/finetune/merge_page.h"
#include "ui/finetune/method_page.h"
#include "ui/finetune/option_form.h"
#include "ui/finetune/progress_chart.h"
#include "ui/finetune/run_page.h"
#include "ui/main_window/chat_page.h"
#include "ui/main_window/main_window.h"
#include "ui/main_window/nav_rail.h"

#include <QCheckBox>
#include <QClipboard>
#include <QDialog>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QListView>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QTreeWidget>

#include <cmath>
#include <csignal>
#include <memory>

using namespace vora;
using namespace vora::ui;

namespace {

using vora::tests::FinetuneWindow;
using vora::tests::kBase;
using vora::tests::kVora;
using vora::tests::tinyRun;
constexpr int kWaitMs = 60000;

void writeFile(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
}

} // namespace

class TestFinetuneWizard : public QObject {
    Q_OBJECT
private:
    // The trainer's own estimate for a 4-sample pre-training run of the tiny base on the CPU.
    app::MemoryNeed tinyPretrainNeedOnCpu()
    {
        return app::runMemoryEstimate(kVora, m_catalog.arguments([&] {
            QJsonObject values = tinyRun(4);
            values.insert("model", kBase);
            values.insert("data", QJsonArray{m_data.filePath(QStringLiteral("data.jsonl"))});
            values.insert("out", m_data.filePath(QStringLiteral("unused")));
            values.insert("stage", "pretrain");
            values.insert("device", "cpu");
            return values;
        }()));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_data.isValid());
        vora::testing::writeTrainingDataSet(m_data.path().toStdString());
        m_catalog = app::TrainOptionCatalog::load(kVora);
    }

    // The window's rail has the page; the first step reads the base model's facts and refuses a folder
    // that is no model.
    void baseModelStep()
    {
        FinetuneWindow w(qint64(64) << 30);
        QVERIFY(w.window->finetunePanel());
        QVERIFY(w.window->finetunePanel()->isVisible()); // the rail's second page (chosen above)
        Q_EMIT w.window->navRail()->pageChosen(0);
        QVERIFY(!w.window->finetunePanel()->isVisible());
        Q_EMIT w.window->navRail()->pageChosen(1);
        QVERIFY(w.window->finetunePanel()->isVisible());
        FinetuneWizard* wizard = w.wizard();
        QVERIFY(!wizard->nextButton()->isEnabled());
        wizard->baseModelPage()->chooseModel(m_data.path());
        QVERIFY(!wizard->nextButton()->isEnabled());
        QVERIFY(wizard->baseModelPage()->factsLabel()->text().contains(QStringLiteral("Not a model folder")));
        wizard->baseModelPage()->chooseModel(kBase);
        QVERIFY(wizard->nextButton()->isEnabled());
        const QString facts = wizard->baseModelPage()->factsLabel()->text();
        QVERIFY2(facts.contains(QStringLiteral("qwen2 · 3 layers · width 64")), qPrintable(facts));
        QVERIFY(facts.contains(app::formatCount(app::readBaseModelInfo(kBase).parameters) + QStringLiteral(" parameters")));
        QVERIFY(facts.contains(QStringLiteral("does not see yet")));
    }

    // The demo model is offered first; choosing it in the list reads its facts.
    void demoModelIsOffered()
    {
        FinetuneWindow w(qint64(64) << 30, kBase);
        QListWidget* candidates = w.wizard()->baseModelPage()->candidates();
        QCOMPARE(candidates->count(), 1);
        QCOMPARE(candidates->item(0)->text(), QStringLiteral("base (demo model)"));
        QVERIFY(!w.wizard()->nextButton()->isEnabled());
        candidates->setCurrentRow(0);
        QCOMPARE(w.wizard()->state().base->folder, QDir(kBase).absolutePath());
        QVERIFY(w.wizard()->nextButton()->isEnabled());
        w.wizard()->goNext();
        w.wizard()->goBack(); // shown again: still one entry, still chosen
        QCOMPARE(candidates->count(), 1);
        QCOMPARE(candidates->currentRow(), 0);
    }

    // Every bad line is listed with its number and reason, and Next waits; a good file shows samples
    // with the trained answers apart.
    void badDataIsListed()
    {
        FinetuneWindow w(qint64(64) << 30);
        FinetuneWizard* wizard = w.wizard();
        wizard->baseModelPage()->chooseModel(kBase);
        wizard->goNext();
        QCOMPARE(wizard->currentStep(), 1);
        const QString bad = m_data.filePath(QStringLiteral("bad.jsonl"));
        writeFile(bad, R"({"id":"1","frames":["red.bmp"],"conversations":[{"from":"human","value":"<image>Q"},{"from":"gpt","value":"red"}]}
{"id":"2" oops
{"id":"3","frames":["nowhere.bmp"],"conversations":[{"from":"human","value":"<image>Q"},{"from":"gpt","value":"x"}]}
{"id":"4","conversations":[{"from":"human","value":"Q"},{"from":"gpt","value":""}]}
)");
        wizard->dataPage()->setDataFile(bad);
        QVERIFY(wizard->dataPage()->isChecking());
        QVERIFY(!wizard->nextButton()->isEnabled()); // while it checks
        QVERIFY(vora::tests::waitForDataCheck(w));
        QTreeWidget* problems = wizard->dataPage()->problemList();
        QCOMPARE(problems->topLevelItemCount(), 3);
        const QStringList lines{problems->topLevelItem(0)->text(0), problems->topLevelItem(1)->text(0), problems->topLevelItem(2)->text(0)};
        QCOMPARE(lines, (QStringList{QStringLiteral("2"), QStringLiteral("3"), QStringLiteral("4")}));
        QCOMPARE(problems->topLevelItem(1)->text(1), QStringLiteral("missing-image"));
        QVERIFY(problems->topLevelItem(1)->text(2).contains(QStringLiteral("nowhere.bmp")));
        QCOMPARE(problems->topLevelItem(2)->text(1), QStringLiteral("empty-answer"));
        QVERIFY(wizard->dataPage()->summaryLabel()->text().contains(QStringLiteral("1 of 4 lines usable")));
        QVERIFY(!wizard->nextButton()->isEnabled());
        QCOMPARE(wizard->blockerLabel()->text(), QStringLiteral("Fix the bad lines first"));

        wizard->dataPage()->setDataFile(m_data.filePath(QStringLiteral("data.jsonl")));
        QVERIFY(vora::tests::waitForDataCheck(w));
        QCOMPARE(problems->topLevelItemCount(), 0);
        QVERIFY(wizard->nextButton()->isEnabled());
        const QString preview = wizard->dataPage()->preview()->toHtml();
        QVERIFY(preview.contains(QStringLiteral("red.bmp")));
        QCOMPARE(wizard->dataPage()->preview()->toPlainText().count(QStringLiteral("(trained)")), 4);

        // A captions folder becomes a checked JSON-lines file under the runs folder.
        const QString captions = m_data.filePath(QStringLiteral("captions"));
        QDir().mkpath(captions);
        QFile::copy(m_data.filePath(QStringLiteral("red.bmp")), captions + QStringLiteral("/red.bmp"));
        QFile::copy(m_data.filePath(QStringLiteral("blue.bmp")), captions + QStringLiteral("/blue.bmp"));
        writeFile(captions + QStringLiteral("/red.txt"), "a red square");
        wizard->dataPage()->importCaptions(captions);
        QVERIFY(vora::tests::waitForDataCheck(w));
        QVERIFY(wizard->state().dataFile.startsWith(w.dir.filePath(QStringLiteral("runs/imported-"))));
        QCOMPARE(wizard->state().check->goodSamples, 1);
        QVERIFY(wizard->dataPage()->summaryLabel()->text().contains(QStringLiteral("blue.bmp: no blue.txt beside it")));
        QVERIFY(wizard->nextButton()->isEnabled());
    }

    // The shown command is the catalog's own line for the chosen values; fit verdicts follow a fixed
    // device memory; "make it fit" lowers the trainer's estimate step by step.
    void methodAndFit()
    {
        const app::MemoryNeed need = tinyPretrainNeedOnCpu();
        struct Case {
            qint64 freeBytes;
            QString verdict;
            bool next;
        };
        for (const Case& c : {Case{need.totalBytes * 2, QStringLiteral("Fits"), true}, Case{need.totalBytes + 1, QStringLiteral("Tight"), true},
                              Case{need.totalBytes - 1, QStringLiteral("Does not fit"), false}}) {
            FinetuneWindow w(c.freeBytes);
            QVERIFY(vora::tests::reachFitPage(w, m_data.path(), 4));
            FinetuneWizard* wizard = w.wizard();
            const QString command = wizard->methodPage()->commandLine();
            QCOMPARE(command, app::shellCommandLine(kVora, m_catalog.arguments(wizard->state().values)));
            QVERIFY(command.contains(QStringLiteral(" --stage pretrain")));
            QVERIFY(command.contains(QStringLiteral(" --lora-rank 4")));
            QGuiApplication::clipboard()->clear();
            QTest::mouseClick(wizard->methodPage()->findChild<QPushButton*>(QStringLiteral("copyCommand")), Qt::LeftButton);
            QCOMPARE(QGuiApplication::clipboard()->text(), command);
            QVERIFY2(wizard->fitPage()->verdictLabel()->text().contains(c.verdict), qPrintable(wizard->fitPage()->verdictLabel()->text()));
            QCOMPARE(wizard->nextButton()->isEnabled(), c.next);
            QVERIFY(wizard->fitPage()->teacherNote()->isVisible()); // teach it to see, no --distill
            if (!c.next) {
                QVERIFY(wizard->fitPage()->makeItFitButton()->isEnabled());
                QTest::mouseClick(wizard->fitPage()->makeItFitButton(), Qt::LeftButton);
                auto* checkpointing = qobject_cast<QCheckBox*>(wizard->methodPage()->form()->editor(QStringLiteral("gradient-checkpointing")));
                QVERIFY(checkpointing->isChecked());
                QVERIFY(wizard->state().values.value(QStringLiteral("gradient-checkpointing")).toBool());
                QVERIFY(wizard->fitPage()->verdictLabel()->text().contains(QStringLiteral("Fits")));
                QVERIFY(wizard->nextButton()->isEnabled());
            }
        }
    }

    // The method step proposes a max-text-len from the data's longest sample (not the trainer's 2048, which
    // would make the fit step plan for samples the data never has); a value the user sets stays.
    void textLengthFollowsTheData()
    {
        using vora::ui::fittedTextLength;
        QCOMPARE(fittedTextLength(1), 64);
        QCOMPARE(fittedTextLength(64), 64);
        QCOMPARE(fittedTextLength(65), 128);
        QCOMPARE(fittedTextLength(100000), 2048);
        FinetuneWindow w(qint64(64) << 30);
        FinetuneWizard* wizard = w.wizard();
        wizard->baseModelPage()->chooseModel(vora::tests::kBase);
        wizard->goNext();
        wizard->dataPage()->setDataFile(m_data.filePath(QStringLiteral("data.jsonl")));
        QVERIFY(vora::tests::waitForDataCheck(w));
        const int longest = wizard->state().check->maxTextTokens;
        QVERIFY2(longest > 0 && fittedTextLength(longest) < 2048, qPrintable(QString::number(longest)));
        wizard->goNext();
        QVERIFY2(wizard->methodPage()->commandLine().contains(QStringLiteral(" --max-text-len %1").arg(fittedTextLength(longest))),
                 qPrintable(wizard->methodPage()->commandLine()));
        wizard->methodPage()->setOptionValues({{"max-text-len", 300}});
        wizard->goBack();
        wizard->goNext(); // the same data: the user's value stays
        QVERIFY(wizard->methodPage()->commandLine().contains(QStringLiteral(" --max-text-len 300")));
    }

    // Every run validates: by default 5 % of the data is held out (--val-share); a validation file replaces
    // the share (--val-data); with neither, the command asks for no validation (and no --val-every).
    void validationIsPartOfEveryRun()
    {
        FinetuneWindow w(qint64(64) << 30);
        QVERIFY(vora::tests::reachFitPage(w, m_data.path(), 4));
        FinetuneWizard* wizard = w.wizard();
        QString command = wizard->methodPage()->commandLine();
        QVERIFY2(command.contains(QStringLiteral(" --val-share 0.05")) && command.contains(QStringLiteral(" --val-every 50")),
                 qPrintable(command));
        QVERIFY(!command.contains(QStringLiteral("--val-data")));

        const QString validation = m_data.filePath(QStringLiteral("data.jsonl"));
        wizard->goBack();
        wizard->goBack();
        QCOMPARE(wizard->currentStep(), 1);
        wizard->dataPage()->setValidationFile(validation);
        QVERIFY(!wizard->dataPage()->validationPercentBox()->isEnabled());
        wizard->goNext();
        command = wizard->methodPage()->commandLine();
        QVERIFY2(command.contains(QStringLiteral(" --val-data ") + validation) && !command.contains(QStringLiteral("--val-share")),
                 qPrintable(command));

        wizard->goBack();
        wizard->dataPage()->setValidationFile({});
        wizard->dataPage()->setValidationPercent(0);
        wizard->goNext();
        command = wizard->methodPage()->commandLine();
        QVERIFY2(!command.contains(QStringLiteral("--val-")), qPrintable(command));
        QCOMPARE(wizard->currentStep(), 2);
        wizard->goNext(); // nothing blocks a run without validation
        QCOMPARE(wizard->currentStep(), 3);
    }

    // The device list is asked again each time the fit step shows (free memory changes); choosing a
    // device puts it on the command line and judges against its memory.
    void deviceChoice()
    {
        FinetuneWindow w(1);
        int asked = 0;
        // Two devices: the CPU with almost nothing free, a card with plenty.
        vora::tests::setDevices(w, [&asked] {
            ++asked;
            return QList<app::DeviceChoice>{{QStringLiteral("cpu"), QStringLiteral("CPU"), 1, 1},
                                            {QStringLiteral("cuda:0"), QStringLiteral("GPU 0"), qint64(80) << 30, qint64(80) << 30}};
        });
        QVERIFY(vora::tests::reachFitPage(w, m_data.path(), 4));
        FinetuneWizard* wizard = w.wizard();
        QCOMPARE(asked, 1);
        QVERIFY(wizard->fitPage()->verdictLabel()->text().contains(QStringLiteral("Does not fit")));
        wizard->fitPage()->chooseDevice(1);
        QCOMPARE(wizard->state().values.value(QStringLiteral("device")).toString(), QStringLiteral("cuda:0"));
        QVERIFY(wizard->methodPage()->commandLine().contains(QStringLiteral(" --device cuda:0")));
        QVERIFY(wizard->fitPage()->verdictLabel()->text().contains(QStringLiteral("Fits")));
        wizard->goBack();
        wizard->goNext();
        QCOMPARE(asked, 2);
        QCOMPARE(wizard->state().values.value(QStringLiteral("device")).toString(), QStringLiteral("cuda:0")); // kept
    }

    // A model loaded in the chat holds memory on its device: the fit step judges again when the chat
    // loads one (fits -> tight -> does not fit, by its size), names it, and unloads it with one click.
    // The device here has a fixed total; as on a real machine, what the chat's model holds is not free.
    void chatModelCountsOnTheFitPage()
    {
        const app::MemoryNeed need = tinyPretrainNeedOnCpu();
        const qint64 total = need.totalBytes * 2;
        struct Case {
            qint64 chatBytes;
            QString chatDevice;
            QString verdict;
            bool next;
        };
        int compared = 0;
        for (const Case& c : {Case{need.totalBytes, QStringLiteral("cpu"), QStringLiteral("Tight"), true},
                              Case{need.totalBytes + 1, QStringLiteral("cpu"), QStringLiteral("Does not fit"), false},
                              Case{need.totalBytes + 1, QStringLiteral("cuda:0"), QStringLiteral("Fits"), true}}) {
            FinetuneWindow w(total);
            vora::tests::setDevices(w, [&w, total] {
                const bool held = w.host.isReady() && w.host.info().device == QLatin1String("cpu");
                const qint64 free = total - (held ? w.host.info().weightBytes : 0);
                return QList<app::DeviceChoice>{{QStringLiteral("cpu"), QStringLiteral("CPU"), free, total}};
            });
            QVERIFY(vora::tests::reachFitPage(w, m_data.path(), 4));
            FitPage* fit = w.wizard()->fitPage();
            QVERIFY(fit->verdictLabel()->text().contains(QStringLiteral("Fits")));
            QVERIFY(!fit->chatModelNote()->isVisible());

            app::FakeChatScript script;
            script.info.weightBytes = c.chatBytes;
            w.chatBackend->setScript(script);
            w.host.setLoadOptions({c.chatDevice, QStringLiteral("auto"), 0});
            w.host.loadModel(kBase);
            QVERIFY(QTest::qWaitFor([&] { return w.host.isReady(); }, kWaitMs));
            QVERIFY2(fit->verdictLabel()->text().contains(c.verdict), qPrintable(fit->verdictLabel()->text()));
            QCOMPARE(w.wizard()->nextButton()->isEnabled(), c.next);
            const bool counted = c.chatDevice == QLatin1String("cpu");
            QCOMPARE(fit->chatModelNote()->isVisible(), counted);
            QCOMPARE(fit->unloadChatButton()->isVisible(), counted);
            if (!counted) {
                ++compared;
                continue;
            }
            QVERIFY2(fit->chatModelNote()->text().contains(QStringLiteral("The chat's model base holds ") + app::formatBytes(c.chatBytes)),
                     qPrintable(fit->chatModelNote()->text()));
            QVERIFY(fit->chatModelNote()->text().contains(QStringLiteral(": Fits.")));

            QTest::mouseClick(fit->unloadChatButton(), Qt::LeftButton);
            QVERIFY(!w.host.isReady());
            QVERIFY(QTest::qWaitFor([&] { return !w.chatBackend->isLoaded(); }, kWaitMs)); // freed on the worker too
            QVERIFY(fit->verdictLabel()->text().contains(QStringLiteral("Fits")));
            QVERIFY(!fit->chatModelNote()->isVisible());
            QVERIFY(!fit->unloadChatButton()->isVisible());
            QVERIFY(w.wizard()->nextButton()->isEnabled());
            ++compared;
        }
        QCOMPARE(compared, 3);
    }

    // A real training from the wizard: progress reaches the charts, pause and resume (run page and
    // queue list), the merge, and "Chat with it" opens the merged model.
    void trainPauseResumeMergeChat()
    {
        FinetuneWindow w(qint64(64) << 30);
        QVERIFY(vora::tests::reachFitPage(w, m_data.path(), 40));
        FinetuneWizard* wizard = w.wizard();
        QCOMPARE(wizard->nextButton()->text(), QStringLiteral("Start training"));
        // Measure: a short trial on the CPU; the shown ETA is the 40 planned steps x the shown s/step.
        QTest::mouseClick(wizard->fitPage()->measureButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(wizard->fitPage()->stepTimeLabel()->text().contains(QStringLiteral("ETA")), 60000);
        const QRegularExpressionMatch shown = QRegularExpression(QStringLiteral(R"(^([0-9.]+) s per step.*ETA for 40 steps: ([0-9]+) s)"))
                                                  .match(wizard->fitPage()->stepTimeLabel()->text());
        QVERIFY2(shown.hasMatch(), qPrintable(wizard->fitPage()->stepTimeLabel()->text()));
        const double secondsPerStep = shown.captured(1).toDouble();
        QVERIFY(secondsPerStep > 0.0);
        QVERIFY(std::abs(shown.captured(2).toDouble() - 40 * secondsPerStep) <= 0.5 + 40 * 0.0005); // both rounded as shown
        wizard->goNext();
        QCOMPARE(wizard->currentStep(), 4);
        const qint64 id = wizard->state().trainJobId;
        QVERIFY(id > 0);
        RunPage* run = wizard->runPage();
        app::TrainingProgress* progress = w.queue.progress(id);
        QVERIFY2(QTest::qWaitFor([&] { return progress->step() >= 3 || w.queue.job(id).state > app::JobState::Running; }, kWaitMs)
                     && progress->step() >= 3,
                 qPrintable(app::jobStateName(w.queue.job(id).state) + QStringLiteral(": ") + w.queue.job(id).message
                            + QStringLiteral(" step %1 lines %2 ").arg(progress->step()).arg(progress->lineCount()) + w.queue.job(id).outDir
                            + QStringLiteral(" ") + w.queue.commandLine(id)));
        QVERIFY(run->pauseButton()->isEnabled());
        QCOMPARE(run->charts().at(0)->line(0)->count(), progress->points(app::ProgressSeries::Loss).size());
        QCOMPARE(run->charts().at(0)->line(0)->points(), progress->points(app::ProgressSeries::Loss));
        QCOMPARE(run->charts().at(1)->line(0)->points(), progress->points(app::ProgressSeries::Lr));
        QVERIFY(!wizard->nextButton()->isEnabled()); // the merge waits

        QTest::mouseClick(run->pauseButton(), Qt::LeftButton);
        QVERIFY(QTest::qWaitFor([&] { return w.queue.job(id).state == app::JobState::Paused; }, kWaitMs));
        QVERIFY(run->resumeButton()->isEnabled());
        QVERIFY(run->checkpointList()->count() >= 1);
        QVERIFY(run->statusLabel()->text().contains(QStringLiteral("paused")));
        // The queue list offers Resume for the paused training too; resuming there continues the run.
        JobsView* jobs = w.window->finetunePanel()->jobs();
        jobs->select(id);
        QVERIFY(jobs->resumeButton()->isEnabled());
        QVERIFY(!jobs->pauseButton()->isEnabled());
        const int pausedAt = progress->step();
        QTest::mouseClick(jobs->resumeButton(), Qt::LeftButton);
        QVERIFY(QTest::qWaitFor([&] { return w.queue.job(id).state == app::JobState::Done; }, kWaitMs));
        QCOMPARE(progress->step(), 40);
        QVERIFY(pausedAt < 40);
        QCOMPARE(run->charts().at(0)->line(0)->count(), 40); // one point per step, none twice
        QVERIFY(!run->logTail()->toPlainText().isEmpty());
        QVERIFY(wizard->nextButton()->isEnabled());

        wizard->goNext();
        MergePage* merge = wizard->mergePage();
        QCOMPARE(wizard->currentStep(), 5);
        const QString merged = merge->outFolder()->text();
        QCOMPARE(merged, wizard->state().values.value(QStringLiteral("out")).toString() + QStringLiteral("-merged"));
        QTest::mouseClick(merge->mergeButton(), Qt::LeftButton);
        QVERIFY(QTest::qWaitFor([&] { return merge->chatButton()->isEnabled(); }, kWaitMs));
        QVERIFY(QFile::exists(merged + QStringLiteral("/config.json")));
        QCOMPARE(jobs->model()->rowCount(), 2);
        // Compare waits below the merge, on the base and the merged folder, with the data's first image
        // sample (the run has no validation file) as its image and question.
        CompareView* compare = merge->compareView();
        QVERIFY(compare && compare->isVisible());
        QCOMPARE(compare->title(0)->text(), QStringLiteral("base"));
        QCOMPARE(compare->title(1)->text(), QFileInfo(merged).fileName());
        QCOMPARE(compare->imageEdit()->text(), m_data.filePath(QStringLiteral("red.bmp")));
        QCOMPARE(compare->questionEdit()->text(), QStringLiteral("Colour?"));
        // The queue offers Compare on the finished merge (not on the training): a window on the same
        // two folders, with the sample read from the training job that wrote the checkpoint.
        jobs->select(id);
        QVERIFY(!jobs->compareButton()->isEnabled());
        jobs->select(merge->mergeJobId());
        QVERIFY(jobs->compareButton()->isEnabled());
        QTest::mouseClick(jobs->compareButton(), Qt::LeftButton);
        auto* compareWindow = w.window->finetunePanel()->findChild<QDialog*>();
        QVERIFY(compareWindow && compareWindow->isVisible());
        CompareView* fromQueue = compareWindow->findChild<CompareView*>();
        QCOMPARE(fromQueue->title(0)->text(), QStringLiteral("base"));
        QCOMPARE(fromQueue->title(1)->text(), QFileInfo(merged).fileName());
        QCOMPARE(fromQueue->imageEdit()->text(), m_data.filePath(QStringLiteral("red.bmp")));
        QCOMPARE(fromQueue->questionEdit()->text(), QStringLiteral("Colour?"));
        compareWindow->close();
        QSignalSpy opened(w.window.get(), &MainWindow::modelFolderChosen);
        QTest::mouseClick(merge->chatButton(), Qt::LeftButton);
        QCOMPARE(opened.size(), 1);
        QCOMPARE(opened.at(0).at(0).toString(), merged);
        QCOMPARE(w.window->chatPage()->isVisible(), true);

        // Back on the fit step the used run folder blocks a second start until another is chosen.
        wizard->goBack();
        wizard->goBack();
        QCOMPARE(wizard->currentStep(), 3);
        QVERIFY(!wizard->nextButton()->isEnabled());
        QVERIFY(wizard->blockerLabel()->text().contains(QStringLiteral("is in use")));
        wizard->goBack();
        wizard->methodPage()->setRunFolder(w.dir.filePath(QStringLiteral("runs/second")));
        wizard->goNext();
        QVERIFY(wizard->nextButton()->isEnabled());
    }

    // A training killed without a checkpoint of its last steps shows as interrupted, with Resume in the
    // queue list and on the run page; resuming starts it again, and Cancel stops it.
    void interruptedJobOffersResume()
    {
        FinetuneWindow w(qint64(64) << 30);
        QVERIFY(vora::tests::reachFitPage(w, m_data.path(), 400));
        FinetuneWizard* wizard = w.wizard();
        wizard->goNext();
        const qint64 id = wizard->state().trainJobId;
        app::TrainingProgress* progress = w.queue.progress(id);
        QVERIFY(QTest::qWaitFor([&] { return progress->step() >= 2; }, kWaitMs));
        const QString runDir = w.queue.job(id).outDir;
        QCOMPARE(::kill(static_cast<pid_t>(app::runFolderOwnerPid(runDir)), SIGKILL), 0);
        QVERIFY(QTest::qWaitFor([&] { return w.queue.job(id).state == app::JobState::Interrupted; }, kWaitMs));
        JobsView* jobs = w.window->finetunePanel()->jobs();
        jobs->select(id);
        QVERIFY(jobs->resumeButton()->isEnabled());
        QVERIFY(!jobs->pauseButton()->isEnabled());
        QVERIFY(wizard->runPage()->resumeButton()->isEnabled());
        QVERIFY(wizard->runPage()->statusLabel()->text().contains(QStringLiteral("interrupted")));
        QTest::mouseClick(jobs->resumeButton(), Qt::LeftButton);
        QVERIFY(QTest::qWaitFor([&] { return w.queue.job(id).state == app::JobState::Running; }, kWaitMs));
        QVERIFY(!jobs->resumeButton()->isEnabled());
        QVERIFY(jobs->cancelButton()->isEnabled());
        QTest::mouseClick(jobs->cancelButton(), Qt::LeftButton);
        QVERIFY(QTest::qWaitFor([&] { return w.queue.job(id).state == app::JobState::Cancelled; }, kWaitMs));
        QVERIFY(!wizard->runPage()->resumeButton()->isEnabled());
    }

private:
    QTemporaryDir m_data;
    app::TrainOptionCatalog m_catalog;
};

QTEST_MAIN(TestFinetuneWizard)
#include "test_finetune_wizard.moc"
