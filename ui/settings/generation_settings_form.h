#pragma once
// Every generation setting a user can set (core's one set, app/values/conversation_settings.h) with a
// line under each that explains it, edited as one layer over another (json_codec.h): the fields show
// the resulting values; a field the edited layer sets is marked ("this chat" / "changed") with a reset
// button that brings back the value from below. Includes the system prompt with its presets.
// GUI thread only.
#include "app/settings/app_settings.h"
#include "app/values/conversation_settings.h"

#include <QJsonObject>
#include <QWidget>

#include <functional>

class QComboBox;
class QFormLayout;
class QLabel;
class QPlainTextEdit;

namespace vora::ui {

class IconButton;

class GenerationSettingsForm : public QWidget {
    Q_OBJECT
public:
    // overriddenMark: the word shown beside a field the edited layer sets ("this chat", "changed").
    // appSettings (may be null) provides the system prompt presets and saves new ones.
    GenerationSettingsForm(const QString& overriddenMark, vora::app::AppSettings* appSettings, QWidget* parent = nullptr);

    // base: the values from the layers below; overrides: the keys the edited layer sets.
    void setLayers(const vora::app::ConversationSettings& base, const QJsonObject& overrides);
    QJsonObject overrides() const { return m_overrides; }
    vora::app::ConversationSettings settings() const;
    void resetAll();
    bool isOverridden(const QString& key) const { return m_overrides.contains(key); }
    QWidget* editor(const QString& key) const; // for tests: the field of a JSON key

Q_SIGNALS:
    void overridesChanged();

private:
    struct Field {
        QString key;
        QWidget* editor = nullptr;
        QLabel* label = nullptr;
        IconButton* reset = nullptr;
        QString title;
        std::function<QJsonValue()> read;
        std::function<void(const QJsonValue&)> write;
    };

    void addField(const QString& key, const QString& title, QWidget* editor, const QString& explanation,
                  std::function<QJsonValue()> read, std::function<void(const QJsonValue&)> write);
    void addSystemPrompt();
    void addSamplingFields();
    void addStopFields();
    void edited(const QString& key);
    void showValues();
    void updateMark(const Field& field);
    void savePreset();
    void fillPresets();

    QString m_mark;
    vora::app::AppSettings* m_appSettings;
    QFormLayout* m_form;
    QPlainTextEdit* m_systemPrompt = nullptr;
    QComboBox* m_presets = nullptr;
    QList<Field> m_fields;
    QJsonObject m_base;      // settingsToJson(base)
    QJsonObject m_overrides;
    vora::app::ConversationSettings m_baseSettings;
    bool m_showing = false;  // writing values into editors: their change signals are not edits
};

} // namespace vora::ui
