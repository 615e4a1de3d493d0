#include "app/settings/app_settings.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSettings>

#include <algorithm>

namespace vora::app {
namespace {

const char* const kChatDefaults = "chat/defaults";
const char* const kDevice = "model/device";
const char* const kDtype = "model/dtype";
const char* const kMaxContext = "model/max_context";
const char* const kReopen = "session/reopen_last";
const char* const kAttentionDetail = "attention/detail";
const char* const kAttentionMaxBytes = "attention/max_bytes";
constexpr qint64 kDefaultAttentionMaxBytes = 16 << 20;
const char* const kLastModel = "session/last_model";
const char* const kLastConversation = "session/last_conversation";
const char* const kLaunched = "session/launched";
const char* const kPresets = "prompts/presets";

QString tr(const char* text)
{
    return QCoreApplication::translate("vora::app::AppSettings", text);
}

QList<SystemPromptPreset> builtInPresets()
{
    return {
        {tr("Model default"), QString(), true},
        {tr("Helpful assistant"), QStringLiteral("You are a helpful assistant."), true},
        {tr("Short answers"), QStringLiteral("You are a helpful assistant. Answer in one or two short sentences."), true},
        {tr("Describe pictures"),
         QStringLiteral("You describe pictures accurately: what is in them, their colours and where things are. "
                        "Say so when you are not sure."),
         true},
        {tr("Step by step"), QStringLiteral("You are a careful assistant. Think step by step, then give the answer."), true},
    };
}

} // namespace

AppSettings::AppSettings(QSettings* settings, QObject* parent)
    : QObject(parent)
    , m_settings(settings)
{
}

QJsonObject AppSettings::chatDefaults() const
{
    return QJsonDocument::fromJson(m_settings->value(kChatDefaults).toString().toUtf8()).object();
}

void AppSettings::setChatDefaults(const QJsonObject& overrides)
{
    if (overrides == chatDefaults()) {
        return;
    }
    if (overrides.isEmpty()) {
        m_settings->remove(kChatDefaults);
    } else {
        m_settings->setValue(kChatDefaults, QString::fromUtf8(QJsonDocument(overrides).toJson(QJsonDocument::Compact)));
    }
    Q_EMIT chatDefaultsChanged();
}

ModelLoadOptions AppSettings::loadOptions() const
{
    ModelLoadOptions options;
    options.device = m_settings->value(kDevice).toString();
    options.dtype = m_settings->value(kDtype, QStringLiteral("auto")).toString();
    options.maxContext = m_settings->value(kMaxContext, 0).toLongLong();
    return options;
}

void AppSettings::setLoadOptions(const ModelLoadOptions& options)
{
    if (options == loadOptions()) {
        return;
    }
    m_settings->setValue(kDevice, options.device);
    m_settings->setValue(kDtype, options.dtype);
    m_settings->setValue(kMaxContext, options.maxContext);
    Q_EMIT loadOptionsChanged();
}

AttentionDetailLevel AppSettings::attentionDetail() const
{
    return attentionDetailFromName(m_settings->value(kAttentionDetail).toString()).value_or(AttentionDetailLevel::Layers);
}

qint64 AppSettings::attentionMaxBytes() const
{
    bool ok = false;
    const qint64 bytes = m_settings->value(kAttentionMaxBytes, kDefaultAttentionMaxBytes).toLongLong(&ok);
    return ok && bytes >= 0 ? bytes : kDefaultAttentionMaxBytes;
}

void AppSettings::setAttentionCapture(AttentionDetailLevel detail, qint64 maxBytes)
{
    m_settings->setValue(kAttentionDetail, attentionDetailName(detail));
    m_settings->setValue(kAttentionMaxBytes, std::max<qint64>(0, maxBytes));
    Q_EMIT attentionCaptureChanged();
}

bool AppSettings::reopenLastSession() const
{
    return m_settings->value(kReopen, true).toBool();
}

void AppSettings::setReopenLastSession(bool reopen)
{
    m_settings->setValue(kReopen, reopen);
}

QString AppSettings::lastModel() const
{
    return m_settings->value(kLastModel).toString();
}

void AppSettings::setLastModel(const QString& path)
{
    m_settings->setValue(kLastModel, path);
}

qint64 AppSettings::lastConversation() const
{
    return m_settings->value(kLastConversation, 0).toLongLong();
}

void AppSettings::setLastConversation(qint64 conversationId)
{
    m_settings->setValue(kLastConversation, conversationId);
}

bool AppSettings::isFirstLaunch() const
{
    return !m_settings->value(kLaunched, false).toBool();
}

void AppSettings::markLaunched()
{
    m_settings->setValue(kLaunched, true);
}

QList<SystemPromptPreset> AppSettings::systemPromptPresets() const
{
    return builtInPresets() + userPresets();
}

bool AppSettings::saveSystemPromptPreset(const QString& name, const QString& text)
{
    const QString clean = name.simplified();
    const QList<SystemPromptPreset> builtIn = builtInPresets();
    if (clean.isEmpty()
        || std::any_of(builtIn.begin(), builtIn.end(), [&](const SystemPromptPreset& p) { return p.name == clean; })) {
        return false;
    }
    QList<SystemPromptPreset> presets = userPresets();
    const auto same = std::find_if(presets.begin(), presets.end(), [&](const SystemPromptPreset& p) { return p.name == clean; });
    if (same != presets.end()) {
        same->text = text;
    } else {
        presets.append({clean, text, false});
    }
    setUserPresets(presets);
    return true;
}

void AppSettings::removeSystemPromptPreset(const QString& name)
{
    QList<SystemPromptPreset> presets = userPresets();
    presets.removeIf([&](const SystemPromptPreset& p) { return p.name == name; });
    setUserPresets(presets);
}

QList<SystemPromptPreset> AppSettings::userPresets() const
{
    QList<SystemPromptPreset> presets;
    const QJsonArray stored = QJsonDocument::fromJson(m_settings->value(kPresets).toString().toUtf8()).array();
    for (const QJsonValue& value : stored) {
        const QJsonObject object = value.toObject();
        const QString name = object.value(QStringLiteral("name")).toString().simplified();
        if (!name.isEmpty()) {
            presets.append({name, object.value(QStringLiteral("text")).toString(), false});
        }
    }
    return presets;
}

void AppSettings::setUserPresets(const QList<SystemPromptPreset>& presets)
{
    QJsonArray stored;
    for (const SystemPromptPreset& preset : presets) {
        stored.append(QJsonObject{{QStringLiteral("name"), preset.name}, {QStringLiteral("text"), preset.text}});
    }
    m_settings->setValue(kPresets, QString::fromUtf8(QJsonDocument(stored).toJson(QJsonDocument::Compact)));
    Q_EMIT presetsChanged();
}

} // namespace vora::app
