// vora_finetune_screenshots OUTDIR [--scheme light|dark] [--suffix TEXT]
// Drives the Fine-tune page of the real window through every step on the tiny test base
// (tests/data/training/base) and a four-sample data set, with a real `vora train` and `vora merge` on
// the CPU, then Compare of the base and the merged model, and saves docs/screenshots/finetune-*.png. Run by tests/ui/finetune_screenshots.sh under
// packaging/env --xvfb.
#include "finetune_fixture.h"
#include "tests/training/training_fixtures.h"
#include "ui/common/theme.h"
#include "ui/finetune/compare_view.h"
#include "ui/finetune/fit_page.h"
#include "ui/finetune/jobs_view.h"
#include "ui/finetune/merge_page.h"
#include "ui/finetune/run_page.h"

#include "save_grab.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QTest>

namespace {

bool save(QWidget* widget, const QString& path)
{
    return vora::testing::saveGrab(widget, path, 300);
}

} // namespace

int main(int argc, char** argv)
{
    QApplication application(argc, argv);
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("OUTDIR"), QStringLiteral("where the PNGs go"));
    const QCommandLineOption scheme(QStringLiteral("scheme"), QStringLiteral("light or dark"), QStringLiteral("NAME"), QStringLiteral("light"));
    const QCommandLineOption suffix(QStringLiteral("suffix"), QStringLiteral("added to every file name"), QStringLiteral("TEXT"));
    parser.addOptions({scheme, suffix});
    parser.process(application);
    if (parser.positionalArguments().size() != 1) {
        qCritical("usage: vora_finetune_screenshots OUTDIR [--scheme light|dark] [--suffix TEXT]");
        return 2;
    }
    vora::ui::applyColorScheme(application, parser.value(scheme) == QLatin1String("dark") ? vora::ui::ColorScheme::Dark : vora::ui::ColorScheme::Light);
    const QDir out(parser.positionalArguments().first());
    QDir().mkpath(out.path());
    const QString tail = QLatin1Char('-') + parser.value(scheme) + parser.value(suffix) + QStringLiteral(".png");
    const auto file = [&](const char* name) { return out.filePath(QStringLiteral("finetune-") + QLatin1String(name) + tail); };

    QTemporaryDir data;
    vora::testing::writeTrainingDataSet(data.path().toStdString());
    vora::tests::FinetuneWindow w(qint64(24) << 30, vora::tests::kBase); // the tiny base stands in for the demo
    w.window->resize(1240, 800);
    vora::ui::FinetuneWizard* wizard = w.wizard();
    bool ok = true;

    wizard->baseModelPage()->candidates()->setCurrentRow(0);
    ok &= save(w.window.get(), file("base"));
    wizard->goNext();
    QFile bad(data.filePath(QStringLiteral("with-problems.jsonl")));
    bad.open(QIODevice::WriteOnly);
    bad.write(R"({"id":"1","frames":["red.bmp"],"conversations":[{"from":"human","value":"<image>Colour?"},{"from":"gpt","value":"red"}]}
{"id":"2","frames":["blue.bmp"] "conversations":[]}
{"id":"3","frames":["purple.bmp"],"conversations":[{"from":"human","value":"<image>Colour?"},{"from":"gpt","value":"purple"}]}
{"id":"4","conversations":[{"from":"human","value":"Say hi"},{"from":"gpt","value":""}]}
)");
    bad.close();
    wizard->dataPage()->setDataFile(bad.fileName());
    ok &= vora::tests::waitForDataCheck(w);
    ok &= save(w.window.get(), file("data-problems"));
    wizard->dataPage()->setDataFile(data.filePath(QStringLiteral("data.jsonl")));
    ok &= vora::tests::waitForDataCheck(w);
    ok &= save(w.window.get(), file("data"));
    wizard->goNext();
    wizard->methodPage()->choosePreset(vora::ui::TrainPreset::TeachToSee);
    QJsonObject run = vora::tests::tinyRun(40);
    run.insert(QStringLiteral("save-every"), 10);
    wizard->methodPage()->setOptionValues(run);
    ok &= save(w.window.get(), file("method"));
    wizard->goNext();
    wizard->fitPage()->measureButton()->click();
    ok &= QTest::qWaitFor([&] { return wizard->fitPage()->stepTimeLabel()->text().contains(QStringLiteral("ETA")); }, 60000);
    ok &= save(w.window.get(), file("fit"));
    wizard->goNext();
    const qint64 id = wizard->state().trainJobId;
    ok &= QTest::qWaitFor([&] { return w.queue.job(id).state == vora::app::JobState::Done; }, 300000);
    w.window->finetunePanel()->jobs()->select(id);
    ok &= save(w.window.get(), file("run"));
    wizard->goNext();
    QTest::mouseClick(wizard->mergePage()->mergeButton(), Qt::LeftButton);
    ok &= QTest::qWaitFor([&] { return wizard->mergePage()->chatButton()->isEnabled(); }, 300000);
    ok &= save(w.window.get(), file("merge"));
    vora::ui::CompareView* compare = wizard->mergePage()->compareView();
    compare->maxNewTokens()->setValue(24);
    QTest::mouseClick(compare->compareButton(), Qt::LeftButton);
    ok &= QTest::qWaitFor([&] { return !compare->isComparing(); }, 300000);
    ok &= save(w.window.get(), file("compare"));
    return ok ? 0 : 1;
}
