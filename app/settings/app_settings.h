#pragma once
// The app-wide preferences, persisted in QSettings: the settings new chats start from (a layer over
// the model's defaults: only the keys the user set, json_codec.h), how models are loaded (device,
// dtype, context length), whether a launch reopens the last model and conversation (and which they
// were), and the user's system prompt presets. GUI thread only (QSettings is not shared across threads here).
#include "app/inference/chat_backend.h"

#include <QJsonObject>
#include <QObject>

class QSettings;

namespace vora::app {

struct SystemPromptPreset {
    QString name;
    QString text;
    bool builtIn = false;

    bool operator==(const SystemPromptPreset&) const = default;
};

class AppSettings : public QObject {
    Q_OBJECT
public:
    // settings must outlive this object.
    explicit AppSettings(QSettings* settings, QObject* parent = nullptr);

    QSettings* storage() const { return m_settings; }

    QJsonObject chatDefaults() const;
    void setChatDefaults(const QJsonObject& overrides);

    ModelLoadOptions loadOptions() const;
    void setLoadOptions(const ModelLoadOptions& options);

    // What answers record of their attention over images (default Layers) and the most bytes one
    // answer's map keeps in the database (default 16 MiB; more detail is dropped first; 0: no bound).
    AttentionDetailLevel attentionDetail() const;
    qint64 attentionMaxBytes() const;
    void setAttentionCapture(AttentionDetailLevel detail, qint64 maxBytes);

    bool reopenLastSession() const; // default true
    void setReopenLastSession(bool reopen);
    QString lastModel() const;      // empty: none (never loaded, or ejected)
    void setLastModel(const QString& path);
    qint64 lastConversation() const; // 0: a new chat
    void setLastConversation(qint64 conversationId);
    // True until markLaunched() ran once with these settings: the first launch opens the demo model.
    bool isFirstLaunch() const;
    void markLaunched();

    // The built-in presets first, then the user's, in the order saved.
    QList<SystemPromptPreset> systemPromptPresets() const;
    // Adds or replaces the user's preset of that name (built-in names cannot be replaced: false).
    bool saveSystemPromptPreset(const QString& name, const QString& text);
    void removeSystemPromptPreset(const QString& name);

Q_SIGNALS:
    void chatDefaultsChanged();
    void loadOptionsChanged();
    void presetsChanged();
    void attentionCaptureChanged();

private:
    QList<SystemPromptPreset> userPresets() const;
    void setUserPresets(const QList<SystemPromptPreset>& presets);

    QSettings* m_settings;
};

} // namespace vora::app
