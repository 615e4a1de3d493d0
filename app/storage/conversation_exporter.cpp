#include "app/storage/conversation_exporter.h"

#include "app/storage/conversation_store.h"
#include "app/storage/json_codec.h"
#include "app/storage/store_error.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

namespace vora::app {
namespace {

// Copies the message's images and returns their paths relative to the exported file.
QStringList copyImages(const ChatMessage& message, const QDir& imageDir)
{
    QStringList relative;
    for (const QString& source : message.imagePaths) {
        const QString name = QFileInfo(source).fileName();
        if (!imageDir.exists() && !QDir().mkpath(imageDir.path())) {
            throw StoreError(QStringLiteral("Cannot create %1.").arg(imageDir.path()));
        }
        const QString target = imageDir.filePath(name);
        if (!QFileInfo::exists(target) && !QFile::copy(source, target)) {
            throw StoreError(QStringLiteral("Cannot copy the image %1 to %2.").arg(source, target));
        }
        relative.append(imageDir.dirName() + QLatin1Char('/') + name);
    }
    return relative;
}

QString roleHeading(const QString& role)
{
    return role.isEmpty() ? role : role.left(1).toUpper() + role.mid(1);
}

QByteArray markdown(const ConversationSummary& summary, const QList<ChatMessage>& messages, const QDir& imageDir)
{
    QString out = QStringLiteral("# %1\n\n").arg(summary.title);
    for (const ChatMessage& message : messages) {
        out += QStringLiteral("## %1\n\n").arg(roleHeading(message.role));
        const QStringList images = copyImages(message, imageDir);
        for (qsizetype i = 0; i < images.size(); ++i) {
            out += QStringLiteral("![image %1](%2)\n\n").arg(i + 1).arg(images.at(i));
        }
        out += message.text + QStringLiteral("\n\n");
        if (message.state != MessageState::Complete) {
            out += QStringLiteral("*(%1%2)*\n\n")
                       .arg(messageStateName(message.state),
                            message.error.isEmpty() ? QString() : QStringLiteral(": ") + message.error);
        }
    }
    return out.toUtf8();
}

QByteArray json(const ConversationStore& store, const ConversationSummary& summary, const QList<ChatMessage>& messages,
                const QDir& imageDir)
{
    QJsonArray items;
    for (const ChatMessage& message : messages) {
        QJsonObject item{{QStringLiteral("role"), message.role},
                         {QStringLiteral("text"), message.text},
                         {QStringLiteral("state"), messageStateName(message.state)},
                         {QStringLiteral("created"), message.created.toString(Qt::ISODateWithMs)},
                         {QStringLiteral("images"), QJsonArray::fromStringList(copyImages(message, imageDir))},
                         {QStringLiteral("image_sha256"), QJsonArray::fromStringList(message.imageHashes)}};
        if (!message.error.isEmpty()) {
            item.insert(QStringLiteral("error"), message.error);
        }
        if (message.stats) {
            item.insert(QStringLiteral("stats"), statsToJson(*message.stats));
        }
        items.append(item);
    }
    QJsonObject root{{QStringLiteral("title"), summary.title},
                     {QStringLiteral("created"), summary.created.toString(Qt::ISODateWithMs)},
                     {QStringLiteral("messages"), items}};
    if (const QJsonObject overrides = store.conversationOverrides(summary.id); !overrides.isEmpty()) {
        root.insert(QStringLiteral("settings"), overrides); // the chat's own settings, over the model's and the app's
    }
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

} // namespace

QString exportConversation(const ConversationStore& store, qint64 conversationId, const QString& filePath,
                           ExportFormat format)
{
    const auto summary = store.conversation(conversationId);
    if (!summary) {
        throw StoreError(QStringLiteral("The conversation to export no longer exists."));
    }
    const QFileInfo target(filePath);
    const QDir imageDir(target.absoluteDir().filePath(target.completeBaseName() + QStringLiteral("_images")));
    const QList<ChatMessage> messages = store.messages(conversationId);
    const QByteArray bytes =
        format == ExportFormat::Markdown ? markdown(*summary, messages, imageDir) : json(store, *summary, messages, imageDir);
    QSaveFile file(filePath);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        throw StoreError(QStringLiteral("Cannot write %1: %2").arg(filePath, file.errorString()));
    }
    return imageDir.path();
}

QString suggestedExportFileName(const QString& title, ExportFormat format)
{
    QString name;
    for (const QChar c : title) {
        const bool reserved = QStringLiteral("/\\:*?\"<>|").contains(c) || c.category() == QChar::Other_Control;
        name += reserved ? QLatin1Char(' ') : c;
    }
    name = name.simplified();
    while (name.startsWith(QLatin1Char('.'))) {
        name.remove(0, 1); // no hidden files
    }
    name = name.left(80).trimmed();
    if (name.isEmpty()) {
        name = QStringLiteral("Conversation");
    }
    return name + (format == ExportFormat::Markdown ? QStringLiteral(".md") : QStringLiteral(".json"));
}

} // namespace vora::app
