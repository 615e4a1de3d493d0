#pragma once
// Writes one conversation to Markdown or JSON with its images: the images are copied into a folder
// named "<file base name>_images" beside the written file and referenced by relative paths.
// Thread of the store. Throws StoreError.
#include <QString>

namespace vora::app {

class ConversationStore;

enum class ExportFormat { Markdown, Json };

// The file name an export is offered under: the chat's title made safe for file systems (no path
// separators, reserved or control characters; at most 80 characters) plus ".md" or ".json";
// "Conversation" when nothing is left of the title. Any thread.
QString suggestedExportFileName(const QString& title, ExportFormat format);

// Returns the folder the images went to (created only when the conversation has images).
QString exportConversation(const ConversationStore& store, qint64 conversationId, const QString& filePath,
                           ExportFormat format);

} // namespace vora::app
