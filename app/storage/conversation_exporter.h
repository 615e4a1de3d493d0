#pragma once
// Writes one conversation to Markdown or JSON with its images: the images are copied into a folder
// named "<file base name>_images" beside the written file and referenced by relative paths.
// Thread of the store. Throws StoreError.
#include <QString>

namespace vora::app {

class ConversationStore;

enum class ExportFormat { Markdown, Json };

// Returns the folder the images went to (created only when the conversation has images).
QString exportConversation(const ConversationStore& store, qint64 conversationId, const QString& filePath,
                           ExportFormat format);

} // namespace vora::app
