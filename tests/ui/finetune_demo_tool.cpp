// vora_finetune_demo OUTDIR --base DIR --data FILE --val FILE --keep DIR [--steps N] [--batch N] [--lr X]
//                    [--lora-rank N] [--lora-layers N] [--scheme light|dark]
// A real fine-tune from the wizard: drives the Fine-tune page of the real window with a real model (the demo
// model) and a real data set through every step ("Teach it a task"), waits for the child `vora train` and
// `vora merge`, runs Compare on the first validation sample, and saves the run and compare pages as
// OUTDIR/finetune-demo-{fit,run,compare}-SCHEME.png. The run folder and the merged model are copied nowhere:
// the wizard writes them under --keep (kept after exit) and their paths are printed as "run: DIR" and
// "merged: DIR". Run by tests/ui/finetune_demo.sh under packaging/env --xvfb.
#include "app/finetune/run_folder_probe.h"
#include "finetune_fixture.h"
#include "ui/common/theme.h"
#include "ui/finetune/compare_view.h"
#include "ui/finetune/data_page.h"
#include "ui/finetune/fit_page.h"
#include "ui/finetune/jobs_view.h"
#include "ui/finetune/merge_page.h"
#include "ui/finetune/run_page.h"

#include "save_grab.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDeadlineTimer>
#include <QDir>
#include <QPushButton>
#include <QSpinBox>
#include <QTest>

#include <algorithm>
#include <cstdio>

namespace {

bool save(QWidget* widget, const QString& path)
{
    return vora::testing::saveGrab(widget, path, 300);
}

// Waits for a job, printing the run's step now and then (a CPU run of a 135M model takes minutes).
bool waitForJob(vora::tests::FinetuneWindow& w, qint64 id, const QString& runDir, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    int printed = -10;
    while (!deadline.hasExpired()) {
        const vora::app::TrainingJob job = w.queue.job(id);
        if (job.state == vora::app::JobState::Done) {
            return true;
        }
        if (job.state != vora::app::JobState::Queued && job.state != vora::app::JobState::Running) {
            std::fprintf(stderr, "job %lld ended: %s\n", static_cast<long long>(id), qPrintable(job.message));
            return false;
        }
        const int step = vora::app::lastProgressLine(runDir).value(QStringLiteral("step")).toInt(-1);
        if (step >= printed + 10) {
            printed = step;
            std::printf("step %d\n", step);
            std::fflush(stdout);
        }
        QTest::qWait(1000);
    }
    std::fprintf(stderr, "job %lld did not finish in time\n", static_cast<long long>(id));
    return false;
}

} // namespace

int main(int argc, char** argv)
{
    QApplication application(argc, argv);
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("OUTDIR"), QStringLiteral("where the PNGs go"));
    const QCommandLineOption base(QStringLiteral("base"), QStringLiteral("the model to fine-tune"), QStringLiteral("DIR"));
    const QCommandLineOption data(QStringLiteral("data"), QStringLiteral("training JSON lines"), QStringLiteral("FILE"));
    const QCommandLineOption val(QStringLiteral("val"), QStringLiteral("validation JSON lines"), QStringLiteral("FILE"));
    const QCommandLineOption keep(QStringLiteral("keep"), QStringLiteral("where the run and the merged model stay"), QStringLiteral("DIR"));
    const QCommandLineOption steps(QStringLiteral("steps"), QStringLiteral("training steps"), QStringLiteral("N"), QStringLiteral("60"));
    const QCommandLineOption batch(QStringLiteral("batch"), QStringLiteral("batch size"), QStringLiteral("N"), QStringLiteral("2"));
    const QCommandLineOption lr(QStringLiteral("lr"), QStringLiteral("learning rate"), QStringLiteral("X"), QStringLiteral("0.001"));
    const QCommandLineOption rank(QStringLiteral("lora-rank"), QStringLiteral("LoRA rank"), QStringLiteral("N"), QStringLiteral("8"));
    const QCommandLineOption layers(QStringLiteral("lora-layers"), QStringLiteral("LoRA on the first N blocks"), QStringLiteral("N"), QStringLiteral("8"));
    const QCommandLineOption scheme(QStringLiteral("scheme"), QStringLiteral("light or dark"), QStringLiteral("NAME"), QStringLiteral("light"));
    parser.addOptions({base, data, val, keep, steps, batch, lr, rank, layers, scheme});
    parser.process(application);
    if (parser.positionalArguments().size() != 1 || !parser.isSet(base) || !parser.isSet(data) || !parser.isSet(val)
        || !parser.isSet(keep)) {
        qCritical("usage: vora_finetune_demo OUTDIR --base DIR --data FILE --val FILE --keep DIR [--steps N] [--batch N] "
                  "[--lr X] [--lora-rank N] [--lora-layers N] [--scheme light|dark]");
        return 2;
    }
    vora::ui::applyColorScheme(application, parser.value(scheme) == QLatin1String("dark") ? vora::ui::ColorScheme::Dark
                                                                                           : vora::ui::ColorScheme::Light);
    const QDir out(parser.positionalArguments().first());
    QDir().mkpath(out.path());
    const QString tail = QLatin1Char('-') + parser.value(scheme) + QStringLiteral(".png");
    const auto file = [&](const char* name) { return out.filePath(QStringLiteral("finetune-demo-") + QLatin1String(name) + tail); };

    // One CPU with 24 GiB free, as on the development machine; the base is offered as the demo model.
    vora::tests::FinetuneWindow w(qint64(24) << 30, parser.value(base));
    w.window->resize(1240, 800);
    vora::ui::FinetuneWizard* wizard = w.wizard();
    bool ok = true;

    const auto stage = [](const char* what) {
        std::printf("%s\n", what);
        std::fflush(stdout);
    };
    wizard->baseModelPage()->chooseModel(parser.value(base));
    wizard->goNext();
    stage("data");
    wizard->dataPage()->setDataFile(parser.value(data));
    wizard->dataPage()->setValidationFile(parser.value(val));
    ok &= vora::tests::waitForDataCheck(w);
    wizard->goNext();
    stage("method");
    wizard->methodPage()->choosePreset(vora::ui::TrainPreset::TeachTask);
    const QString runDir = QDir(parser.value(keep)).filePath(QStringLiteral("run"));
    wizard->methodPage()->setRunFolder(runDir);
    const int n = parser.value(steps).toInt();
    wizard->methodPage()->setOptionValues({{"max-steps", n}, {"batch-size", parser.value(batch).toInt()},
                                           {"lr", parser.value(lr).toDouble()}, {"warmup-steps", std::max(1, n / 10)},
                                           {"val-every", std::max(1, n / 4)},
                                           {"lora-rank", parser.value(rank).toInt()}, {"lora-layers", parser.value(layers).toInt()},
                                           {"save-every", std::max(1, n / 4)}, {"dtype", "float32"}, {"device", "cpu"},
                                           // The documented run's value (docs/finetune.md); the method step alone
                                           // proposes 64 for this data (38 text tokens at most).
                                           {"max-text-len", 128}});
    wizard->goNext();
    if (wizard->currentStep() != 3) {
        qCritical("stuck at step %d: %s", wizard->currentStep(), qPrintable(wizard->blockerLabel()->text()));
        return 1;
    }
    std::printf("command: %s\n", qPrintable(wizard->methodPage()->commandLine()));
    std::fflush(stdout);
    stage("fit");
    // The fit step: the trainer's estimate (a child process), then a measured trial of a few steps.
    ok &= QTest::qWaitFor([&] { return wizard->fitPage()->measureButton()->isEnabled(); }, 120000);
    wizard->fitPage()->measureButton()->click();
    ok &= QTest::qWaitFor([&] { return wizard->fitPage()->stepTimeLabel()->text().contains(QStringLiteral("ETA")); }, 600000);
    ok &= QTest::qWaitFor([&] { return wizard->nextButton()->isEnabled(); }, 120000);
    std::printf("fit: %s\n", qPrintable(wizard->fitPage()->stepTimeLabel()->text()));
    ok &= save(w.window.get(), file("fit"));
    wizard->goNext();
    if (wizard->state().trainJobId <= 0) {
        qCritical("the training did not start: %s", qPrintable(wizard->blockerLabel()->text()));
        return 1;
    }
    const qint64 trainId = wizard->state().trainJobId;
    ok &= waitForJob(w, trainId, runDir, 3 * 3600 * 1000);
    w.window->finetunePanel()->jobs()->select(trainId);
    ok &= save(w.window.get(), file("run"));
    wizard->goNext();
    QTest::mouseClick(wizard->mergePage()->mergeButton(), Qt::LeftButton);
    ok &= QTest::qWaitFor([&] { return wizard->mergePage()->chatButton()->isEnabled(); }, 600000);
    vora::ui::CompareView* compare = wizard->mergePage()->compareView();
    compare->maxNewTokens()->setValue(24);
    QTest::mouseClick(compare->compareButton(), Qt::LeftButton);
    ok &= QTest::qWaitFor([&] { return !compare->isComparing(); }, 600000);
    ok &= save(w.window.get(), file("compare"));
    std::printf("run: %s\nmerged: %s\n", qPrintable(runDir), qPrintable(w.queue.job(wizard->mergePage()->mergeJobId()).outDir));
    return ok ? 0 : 1;
}
