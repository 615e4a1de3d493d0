// Helper process of test_app_conversation_store: writes conversations into the database given as
// argv[1], one transaction each (a conversation with two messages), and prints "committed N" after
// every commit, until it is killed.
#include "app/storage/conversation_store.h"

#include <QCoreApplication>
#include <QFileInfo>

#include <cstdio>

int main(int argc, char** argv)
{
    QCoreApplication application(argc, argv);
    if (argc != 2) {
        std::fprintf(stderr, "usage: vora_store_writer DATABASE\n");
        return 2;
    }
    const QString database = QString::fromLocal8Bit(argv[1]);
    vora::app::ConversationStore store(database, QFileInfo(database).absolutePath() + QStringLiteral("/images"));
    for (int n = 1;; ++n) {
        store.transaction([&] {
            const qint64 id = store.createConversation(QStringLiteral("conversation %1").arg(n));
            vora::app::ChatMessage question;
            question.conversationId = id;
            question.role = QStringLiteral("user");
            question.text = QStringLiteral("question %1 ").arg(n) + QString(400, QLatin1Char('q'));
            store.addMessage(question);
            vora::app::ChatMessage answer = question;
            answer.role = QStringLiteral("assistant");
            answer.text = QStringLiteral("answer %1").arg(n);
            store.addMessage(answer);
        });
        std::printf("committed %d\n", n);
        std::fflush(stdout);
    }
}
