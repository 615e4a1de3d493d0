// vora_screenshots OUTDIR --model DIR --image FILE [--scheme light|dark] [--suffix TEXT]
// Drives the real window over the real inference backend and a real model, and saves PNGs of: the
// welcome page, a conversation (a streamed answer; when the model sees images, a described picture and an
// image attached in the composer; the context meter), the attention viewer on that description's word "red", the image viewer, the chat settings and the preferences. Run by tests/ui/screenshots.sh
// under packaging/env --xvfb (a real X server; QT_SCALE_FACTOR picks the scale).
#include "app/attention/answer_attention.h"
#include "app/attention/rollout_requester.h"
#include "app/chat/message_list_model.h"
#include "app/inference/chat_backend_factory.h"
#include "app/storage/conversation_store.h"
#include "app/storage/json_codec.h"
#include "studio_fixture.h"
#include "ui/attention/attention_viewer.h"
#include "ui/common/theme.h"
#include "ui/composer/composer_edit.h"
#include "ui/composer/composer_widget.h"
#include "ui/composer/image_viewer_dialog.h"
#include "ui/settings/chat_settings_dialog.h"
#include "ui/settings/preferences_dialog.h"

#include "save_grab.h"

#include <QApplication>
#include <QComboBox>
#include <QCommandLineParser>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QImageReader>
#include <QJsonArray>
#include <QLabel>

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
    std::optional<vora::app::AnswerAttention> attention;
    qint64 attentionMessage = -1;
    if (studio.host->info().hasVision) {
        // A question about the picture, with its attention recorded per layer, then a follow-up in the composer.
        QFile picture(parser.value(image));
        ok &= picture.open(QIODevice::ReadOnly);
        studio.controller->setAttentionCapture(vora::app::AttentionDetailLevel::Layers, 0);
        // Its own conversation: the demo model learnt single questions about a picture, and a text turn
        // before it pulls the answer back to that text.
        studio.controller->newConversation();
        ok &= studio.controller->send(QStringLiteral("Describe the image."), {picture.readAll()});
        ok &= studio.waitUntilIdle(300000);
        const vora::app::MessageListModel* messages = studio.controller->messages();
        const int last = messages->rowCount() - 1;
        if (last >= 0 && messages->at(last).hasAttention) {
            attentionMessage = messages->at(last).id;
            attention = studio.controller->store()->attention(attentionMessage);
        }
        studio.window->composer()->addImageFiles({parser.value(image)});
        studio.window->composer()->edit()->setPlainText(QStringLiteral("How many shapes are in this picture?"));
    } else { // a text-only model (the demo's base) would refuse the picture: show what it can do
        studio.window->composer()->edit()->setPlainText(QStringLiteral("And a circle?"));
    }
    QTest::qWait(600); // the context meter counts after a short pause
    ok &= save(studio.window.get(), file("chat"));

    if (attention) { // the answer's first colour word: where the model looked when it said it
        vora::ui::AttentionViewer viewer(*attention, studio.window.get());
        viewer.resize(1000, 640);
        for (int i = 0; i < int(attention->tokens.size()); ++i) {
            if (attention->tokens[i].text.trimmed() == QLatin1String("red")) {
                viewer.showToken(i);
                break;
            }
        }
        viewer.show();
        ok &= save(&viewer, file("attention-demo"));
        // The same word as rollout through the vision layers, computed by the model's worker.
        viewer.setRolloutRequester(
            new vora::app::RolloutRequester(studio.host.get(), studio.controller->rolloutSource(attentionMessage), &viewer));
        auto* method = viewer.findChild<QComboBox*>(QStringLiteral("attentionMethod"));
        auto* legend = viewer.findChild<QLabel*>(QStringLiteral("attentionLegend"));
        if (method && legend) {
            method->setCurrentIndex(1);
            QDeadlineTimer deadline(120000);
            while (!legend->text().startsWith(QStringLiteral("Rollout")) && !deadline.hasExpired()) {
                QTest::qWait(100);
            }
            ok &= legend->text().startsWith(QStringLiteral("Rollout")) && save(&viewer, file("attention-rollout"));
        } else {
            ok = false;
        }
    }

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
