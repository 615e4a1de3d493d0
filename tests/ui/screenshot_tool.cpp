// vora_screenshots OUTDIR [PHOTO]: drives the real window over the fake backend and saves PNGs of the
// empty state, a conversation with an image and a highlighted code block, the "what the model sees"
// preview, and the error banner. Run by tests/ui/screenshots.sh under packaging/env --xvfb.
#include "app/chat/message_list_model.h"
#include "app/inference/chat_backend_factory.h"
#include "studio_fixture.h"
#include "ui/common/error_banner.h"
#include "ui/composer/composer_widget.h"
#include "ui/composer/model_view_dialog.h"

#include <QApplication>
#include <QBuffer>
#include <QDir>
#include <QImageReader>
#include <QPainter>

namespace {

bool save(QWidget* widget, const QString& path)
{
    QApplication::processEvents();
    QTest::qWait(150);
    const bool ok = widget->grab().save(path);
    qInfo("%s %s", ok ? "saved" : "FAILED", qPrintable(path));
    return ok;
}

QByteArray photo(const QString& path)
{
    QImage image = QImageReader(path).read();
    if (image.isNull()) {
        image = QImage(640, 420, QImage::Format_RGB32);
        QPainter painter(&image);
        painter.fillRect(image.rect(), QColor(70, 130, 180));
        painter.setBrush(QColor(250, 200, 60));
        painter.drawEllipse(QPoint(460, 120), 70, 70);
        painter.setBrush(QColor(40, 120, 60));
        painter.drawRect(0, 300, 640, 120);
    }
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

} // namespace

int main(int argc, char** argv)
{
    QApplication application(argc, argv);
    if (argc < 2) {
        qCritical("usage: vora_screenshots OUTDIR [PHOTO]");
        return 2;
    }
    const QDir out(QString::fromLocal8Bit(argv[1]));
    QDir().mkpath(out.path());
    const QByteArray image = photo(argc > 2 ? QString::fromLocal8Bit(argv[2]) : QString());
    bool ok = true;
    {
        vora::tests::StudioFixture studio;
        studio.window->show();
        ok &= save(studio.window.get(), out.filePath(QStringLiteral("empty.png")));
    }
    {
        vora::tests::StudioFixture studio;
        vora::app::FakeChatScript script;
        script.pieceDelayMs = 2;
        ok &= studio.loadModel(script);
        studio.window->resize(1180, 980);
        studio.window->show();
        ok &= studio.controller->send(QStringLiteral("What is in this picture? Answer with a little code."), {image});
        ok &= studio.waitUntilIdle();
        studio.window->composer()->addImages({image});
        ok &= save(studio.window.get(), out.filePath(QStringLiteral("conversation.png")));
        vora::ui::ModelViewDialog preview(QImage::fromData(image), 448, 14, studio.window.get());
        preview.show();
        ok &= save(&preview, out.filePath(QStringLiteral("model-view.png")));
    }
    {
        vora::tests::StudioFixture studio(vora::app::createDefaultChatBackend());
        studio.window->show();
        QSignalSpy failed(studio.host.get(), &vora::app::ModelHost::loadFailed);
        studio.host->loadModel(vora::tests::makeModelFolder(studio.dir.path()));
        ok &= failed.wait(5000);
        ok &= save(studio.window.get(), out.filePath(QStringLiteral("error.png")));
    }
    return ok ? 0 : 1;
}
