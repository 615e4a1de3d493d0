// Helper process of the store tests: writes conversations into the database given as argv[1], one
// transaction each (a conversation with two messages; every fifth question with a new image), and
// prints "committed N" after every commit. Stops after argv[2] conversations (default: until killed).
// A store error (a full disk, an injected fault) is printed as "error: ..." with exit code 1.
#include "app/storage/conversation_store.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QFileInfo>
#include <QImage>

#include <cstdio>
#include <exception>

namespace {

QByteArray imageNumber(int n)
{
    QImage image(4, 4, QImage::Format_RGB32);
    image.fill(QColor::fromRgb(static_cast<QRgb>(0xff000000u | static_cast<unsigned>(n) * 2654435761u)));
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication application(argc, argv);
    if (argc < 2 || argc > 3) {
        std::fprintf(stderr, "usage: vora_store_writer DATABASE [CONVERSATIONS]\n");
        return 2;
    }
    const QString database = QString::fromLocal8Bit(argv[1]);
    const int limit = argc == 3 ? std::atoi(argv[2]) : 0;
    try {
        vora::app::ConversationStore store(database, QFileInfo(database).absolutePath() + QStringLiteral("/images"));
        for (int n = 1; limit == 0 || n <= limit; ++n) {
            const QString image = n % 5 == 0 ? store.importImage(imageNumber(n)) : QString();
            store.transaction([&] {
                const qint64 id = store.createConversation(QStringLiteral("conversation %1").arg(n));
                vora::app::ChatMessage question;
                question.conversationId = id;
                question.role = QStringLiteral("user");
                question.text = QStringLiteral("question %1 ").arg(n) + QString(400, QLatin1Char('q'));
                if (!image.isEmpty()) {
                    question.imageHashes = {image};
                }
                store.addMessage(question);
                vora::app::ChatMessage answer = question;
                answer.role = QStringLiteral("assistant");
                answer.text = QStringLiteral("answer %1").arg(n);
                answer.imageHashes.clear();
                store.addMessage(answer);
            });
            std::printf("committed %d\n", n);
            std::fflush(stdout);
        }
    } catch (const std::exception& error) {
        std::printf("error: %s\n", error.what());
        return 1;
    }
    return 0;
}
