// vora_screenshots OUTDIR --model DIR --image FILE [--scheme light|dark] [--suffix TEXT]
// Drives the real window over the real inference backend and a real model, and saves PNGs of: the
// welcome page, a conversation (a streamed answer, an image attached in the composer when the model
// sees images, the context meter), the image viewer, the chat settings and the preferences. Run by tests/ui/screenshots.sh
// under packaging/env --xvfb (a real X server; QT_SCALE_FACTOR picks the scale).
#include "app/chat/message_list_model.h"
#include "app/inference/chat_backend_factory.h"
#include "app/storage/json_codec.h"
#include "studio_fixture.h"
#include "ui/common/theme.h"
#include "ui/composer/composer_edit.h"
#include "ui/composer/composer_widget.h"
#include "ui/composer/image_viewer_dialog.h"
#include "ui/settings/chat_settings_dialog.h"
#include "ui/settings/preferences_dialog.h"

#include "save_grab.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QImageReader>
#include <QJsonArray>

namespace {

bool save(QWidget* widget, const QString& path)
{
    return vora::testing::saveGrab(widget, path, 250);
}

} // namespace

int main(int argc, char** argv)
{
    QApplication application(argc, argv);
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("OUTDIR"), QStringLiteral("where the PNGs go"));
    const QCommandLineOption model(QStringLiteral("model"), QStringLiteral("model folder"), QStringLiteral("DIR"));
    const QCommandLineOption image(QStringLiteral("image"), QStringLiteral("image to attach"), QStringLiteral("FILE"));
    const QCommandLineOption scheme(QStringLiteral("scheme"), QStringLiteral("light or dark"), QStringLiteral("NAME"),
                                    QStringLiteral("light"));
    const QCommandLineOption suffix(QStringLiteral("suffix"), QStringLiteral("added to every file name"), QStringLiteral("TEXT"));
    parser.addOptions({model, image, scheme, suffix});
    parser.process(application);
    if (parser.positionalArguments().size() != 1 || !parser.isSet(model) || !parser.isSet(image)) {
        qCritical("usage: vora_screenshots OUTDIR --model DIR --image FILE [--scheme light|dark] [--suffix TEXT]");
        return 2;
    }
    const bool dark = parser.value(scheme) == QLatin1String("dark");
    vora::ui::applyColorScheme(application, dark ? vora::ui::ColorScheme::Dark : vora::ui::ColorScheme::Light);
    const QDir out(parser.positionalArguments().first());
    QDir().mkpath(out.path());
    const QString tail = QLatin1Char('-') + parser.value(scheme) + parser.value(suffix) + QStringLiteral(".png");
    const auto file = [&](const char* name) { return out.filePath(QLatin1String(name) + tail); };
    bool ok = true;
    {
        vora::tests::StudioFixture studio;
        studio.window->show();
        ok &= save(studio.window.get(), file("welcome"));
    }
    vora::tests::StudioFixture studio(vora::app::createDefaultChatBackend());
    vora::app::ModelLoadOptions cpu;
    cpu.device = QStringLiteral("cpu");
    studio.appSettings.setLoadOptions(cpu);
    studio.appSettings.setChatDefaults({{QStringLiteral("temperature"), 0.0}, {QStringLiteral("max_new_tokens"), 90.0}});
    studio.window->resize(1240, 800);
    studio.window->show();
    QSignalSpy loaded(studio.host.get(), &vora::app::ModelHost::loaded);
    studio.host->loadModel(parser.value(model));
    if (!loaded.wait(180000)) {
        qCritical("the model did not load");
        return 1;
    }
    ok &= studio.controller->send(QStringLiteral("In two sentences: what makes a triangle different from a square?"), {});
    ok &= studio.waitUntilIdle(300000); // a real model on a busy CPU
    if (studio.host->info().hasVision) {
        studio.window->composer()->addImageFiles({parser.value(image)});
        studio.window->composer()->edit()->setPlainText(QStringLiteral("How many shapes are in this picture?"));
    } else { // a text-only model (the demo's base) would refuse the picture: show what it can do
        studio.window->composer()->edit()->setPlainText(QStringLiteral("And a circle?"));
    }
    QTest::qWait(600); // the context meter counts after a short pause
    ok &= save(studio.window.get(), file("chat"));

    const QImage picture = QImageReader(parser.value(image)).read();
    const vora::app::ModelInfo& info = studio.host->info();
    vora::ui::ImageViewerDialog viewer(picture, QFileInfo(parser.value(image)).fileName(), info.imageSize, info.patchSize,
                                       info.hasVision, studio.window.get());
    viewer.resize(900, 540);
    viewer.show();
    ok &= save(&viewer, file("image-viewer"));
    viewer.close();

    vora::ui::ChatSettingsDialog settings(studio.controller->currentTitle(), studio.controller->inheritedSettings(),
                                          QJsonObject{{QStringLiteral("top_k"), 20.0}, {QStringLiteral("stop_strings"), QJsonArray{QStringLiteral("Question:")}}},
                                          &studio.appSettings, studio.window.get());
    settings.show();
    ok &= save(&settings, file("chat-settings"));
    settings.close();

    vora::ui::PreferencesDialog preferences(&studio.appSettings, studio.controller->modelDefaults(), studio.window.get());
    preferences.show();
    ok &= save(&preferences, file("preferences"));
    return ok ? 0 : 1;
}
