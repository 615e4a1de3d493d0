#include "ui/settings/generation_settings_form.h"

#include "app/storage/json_codec.h"
#include "ui/common/icon_button.h"
#include "ui/common/tone_label.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QJsonArray>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace vora::ui {
namespace {

bool sameValue(const QJsonValue& a, const QJsonValue& b)
{
    if (a.isDouble() && b.isDouble()) {
        return std::abs(a.toDouble() - b.toDouble()) < 1e-9;
    }
    return a == b;
}

QDoubleSpinBox* doubleBox(double low, double high, double step, int decimals)
{
    auto* box = new QDoubleSpinBox;
    box->setRange(low, high);
    box->setSingleStep(step);
    box->setDecimals(decimals);
    return box;
}

QSpinBox* intBox(int low, int high)
{
    auto* box = new QSpinBox;
    box->setRange(low, high);
    return box;
}

// Stop strings one per line; "\n" and "\t" written as escapes, so line breaks can be stop strings too.
QString escapeStop(QString text)
{
    return text.replace(QLatin1Char('\\'), QLatin1String("\\\\")).replace(QLatin1Char('\n'), QLatin1String("\\n"))
        .replace(QLatin1Char('\t'), QLatin1String("\\t"));
}

QString unescapeStop(const QString& line)
{
    QString out;
    for (qsizetype i = 0; i < line.size(); ++i) {
        if (line.at(i) == QLatin1Char('\\') && i + 1 < line.size()) {
            const QChar next = line.at(++i);
            out += next == QLatin1Char('n') ? QChar(QLatin1Char('\n')) : next == QLatin1Char('t') ? QChar(QLatin1Char('\t')) : next;
        } else {
            out += line.at(i);
        }
    }
    return out;
}

} // namespace

GenerationSettingsForm::GenerationSettingsForm(const QString& overriddenMark, vora::app::AppSettings* appSettings,
                                               QWidget* parent)
    : QWidget(parent)
    , m_mark(overriddenMark)
    , m_appSettings(appSettings)
    , m_form(new QFormLayout(this))
{
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_form->setRowWrapPolicy(QFormLayout::DontWrapRows);
    m_form->setLabelAlignment(Qt::AlignRight | Qt::AlignTop);
    m_form->setVerticalSpacing(10);
    addSystemPrompt();
    addSamplingFields();
    addStopFields();
}

void GenerationSettingsForm::addField(const QString& key, const QString& title, QWidget* editor, const QString& explanation,
                                      std::function<QJsonValue()> read, std::function<void(const QJsonValue&)> write)
{
    Field field;
    field.key = key;
    field.title = title;
    field.editor = editor;
    field.read = std::move(read);
    field.write = std::move(write);
    field.label = new QLabel(this);
    field.label->setBuddy(editor);
    editor->setAccessibleName(title);
    editor->setAccessibleDescription(explanation);
    editor->setObjectName(key);
    field.reset = new IconButton(QStringLiteral("reset"), tr("Reset %1").arg(title), this);
    field.reset->setObjectName(key + QStringLiteral("_reset"));
    connect(field.reset, &IconButton::clicked, this, [this, key] {
        m_overrides.remove(key);
        showValues();
        Q_EMIT overridesChanged();
    });
    auto* cell = new QWidget(this);
    auto* column = new QVBoxLayout(cell);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(2);
    auto* row = new QHBoxLayout;
    row->addWidget(editor, 1);
    row->addWidget(field.reset);
    column->addLayout(row);
    auto* help = new ToneLabel(explanation, ToneLabel::Tone::Secondary, cell);
    help->setWordWrap(true);
    column->addWidget(help);
    m_form->addRow(field.label, cell);
    m_fields.append(field);
    updateMark(m_fields.last());
}

void GenerationSettingsForm::addSystemPrompt()
{
    m_systemPrompt = new QPlainTextEdit(this);
    m_systemPrompt->setPlaceholderText(tr("Empty: the model's own default system prompt"));
    m_systemPrompt->setMinimumHeight(70);
    m_systemPrompt->setMaximumHeight(110);
    m_systemPrompt->setTabChangesFocus(true);
    auto* editor = new QWidget(this);
    auto* column = new QVBoxLayout(editor);
    column->setContentsMargins(0, 0, 0, 0);
    auto* presetRow = new QHBoxLayout;
    m_presets = new QComboBox(editor);
    m_presets->setObjectName(QStringLiteral("systemPromptPresets"));
    m_presets->setAccessibleName(tr("System prompt presets"));
    auto* save = new QPushButton(tr("Save as preset…"), editor);
    save->setObjectName(QStringLiteral("savePresetButton"));
    save->setEnabled(m_appSettings != nullptr);
    presetRow->addWidget(m_presets, 1);
    presetRow->addWidget(save);
    column->addLayout(presetRow);
    column->addWidget(m_systemPrompt);
    fillPresets();
    connect(m_presets, &QComboBox::activated, this, [this](int index) {
        const QVariant text = m_presets->itemData(index);
        if (text.isValid()) {
            m_systemPrompt->setPlainText(text.toString()); // counts as an edit: textChanged
        }
    });
    connect(save, &QPushButton::clicked, this, &GenerationSettingsForm::savePreset);
    connect(m_systemPrompt, &QPlainTextEdit::textChanged, this, [this] { edited(QStringLiteral("system_prompt")); });
    addField(QStringLiteral("system_prompt"), tr("System prompt"), editor,
             tr("Instructions the model reads before the conversation: its role, tone and rules. Choose a preset "
                "or write your own."),
             [this] { return QJsonValue(m_systemPrompt->toPlainText().trimmed()); },
             [this](const QJsonValue& v) { m_systemPrompt->setPlainText(v.toString()); });
    m_fields.last().editor = m_systemPrompt;
    m_fields.last().label->setBuddy(m_systemPrompt);
    editor->setObjectName(QStringLiteral("systemPromptRow"));
    m_systemPrompt->setObjectName(QStringLiteral("system_prompt"));
    m_systemPrompt->setAccessibleName(tr("System prompt"));
    m_systemPrompt->setAccessibleDescription(editor->accessibleDescription());
}

void GenerationSettingsForm::addSamplingFields()
{
    const auto number = [this](const QString& key, const QString& title, QDoubleSpinBox* box, const QString& help) {
        connect(box, &QDoubleSpinBox::valueChanged, this, [this, key] { edited(key); });
        addField(key, title, box, help, [box] { return QJsonValue(box->value()); },
                 [box](const QJsonValue& v) { box->setValue(v.toDouble()); });
    };
    const auto integer = [this](const QString& key, const QString& title, QSpinBox* box, const QString& help) {
        connect(box, &QSpinBox::valueChanged, this, [this, key] { edited(key); });
        addField(key, title, box, help, [box] { return QJsonValue(double(box->value())); },
                 [box](const QJsonValue& v) { box->setValue(static_cast<int>(v.toDouble())); });
    };
    number(QStringLiteral("temperature"), tr("Temperature"), doubleBox(0, 2, 0.05, 2),
           tr("How adventurous the wording is. 0 always takes the most likely word (the same answer every time); "
              "around 0.7 is balanced; above 1 gets inventive and less accurate."));
    number(QStringLiteral("top_p"), tr("Top-p"), doubleBox(0.01, 1, 0.05, 2),
           tr("Nucleus sampling: only the most likely words that together make up this share of the probability "
              "are considered. 1 turns it off; 0.9 trims the unlikely tail."));
    auto* topK = intBox(0, 1000);
    topK->setSpecialValueText(tr("off"));
    integer(QStringLiteral("top_k"), tr("Top-k"), topK,
            tr("Only the K most likely words are considered at each step. 0 turns it off."));
    auto* minP = doubleBox(0, 0.99, 0.01, 2);
    minP->setSpecialValueText(tr("off"));
    number(QStringLiteral("min_p"), tr("Min-p"), minP,
           tr("Drops words less likely than this fraction of the most likely one: 0.05 keeps words at least 1/20 as "
              "likely as the favourite. Cuts nonsense at high temperatures. 0 turns it off."));
    number(QStringLiteral("repetition_penalty"), tr("Repetition penalty"), doubleBox(0.5, 2, 0.05, 2),
           tr("Above 1, words already in the conversation become less likely, which stops loops; 1 turns it off. "
              "Much above 1.2 starts to garble answers."));
    auto* seed = intBox(-1, std::numeric_limits<int>::max());
    seed->setSpecialValueText(tr("random"));
    integer(QStringLiteral("seed"), tr("Seed"), seed,
            tr("Makes sampling repeatable: the same seed, settings and conversation give the same answer. "
               "\u201crandom\u201d draws a new seed for every answer."));
}

void GenerationSettingsForm::addStopFields()
{
    const auto integer = [this](const QString& key, const QString& title, QSpinBox* box, const QString& help) {
        connect(box, &QSpinBox::valueChanged, this, [this, key] { edited(key); });
        addField(key, title, box, help, [box] { return QJsonValue(double(box->value())); },
                 [box](const QJsonValue& v) { box->setValue(static_cast<int>(v.toDouble())); });
    };
    integer(QStringLiteral("max_new_tokens"), tr("Max new tokens"), intBox(1, 131072),
            tr("The longest answer, in tokens (a token is about three quarters of a word). When the conversation "
               "leaves less room in the model's context, the answer gets what is left and the chat says so."));
    integer(QStringLiteral("min_new_tokens"), tr("Min new tokens"), intBox(0, 131072),
            tr("The answer cannot end before this many tokens. 0 lets the model stop whenever it is done."));
    auto* stops = new QPlainTextEdit(this);
    stops->setPlaceholderText(tr("One per line, e.g. Question:"));
    stops->setMaximumHeight(70);
    stops->setTabChangesFocus(true);
    connect(stops, &QPlainTextEdit::textChanged, this, [this] { edited(QStringLiteral("stop_strings")); });
    addField(QStringLiteral("stop_strings"), tr("Stop strings"), stops,
             tr("The answer ends just before any of these texts appears (they are not shown), also when a text "
                "spans several tokens. One per line; write \\n for a line break."),
             [stops] {
                 QJsonArray list;
                 for (const QString& line : stops->toPlainText().split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
                     list.append(unescapeStop(line));
                 }
                 return QJsonValue(list);
             },
             [stops](const QJsonValue& v) {
                 QStringList lines;
                 for (const QJsonValue& stop : v.toArray()) {
                     lines.append(escapeStop(stop.toString()));
                 }
                 stops->setPlainText(lines.join(QLatin1Char('\n')));
             });
}

void GenerationSettingsForm::setLayers(const vora::app::ConversationSettings& base, const QJsonObject& overrides)
{
    m_baseSettings = base;
    m_base = vora::app::settingsToJson(base);
    m_overrides = overrides;
    showValues();
}

vora::app::ConversationSettings GenerationSettingsForm::settings() const
{
    return vora::app::applySettingsOverrides(m_baseSettings, m_overrides);
}

void GenerationSettingsForm::resetAll()
{
    m_overrides = {};
    showValues();
    Q_EMIT overridesChanged();
}

QWidget* GenerationSettingsForm::editor(const QString& key) const
{
    for (const Field& field : m_fields) {
        if (field.key == key) {
            return field.editor;
        }
    }
    return nullptr;
}

void GenerationSettingsForm::edited(const QString& key)
{
    if (m_showing) {
        return;
    }
    for (const Field& field : m_fields) {
        if (field.key != key) {
            continue;
        }
        const QJsonValue value = field.read();
        if (sameValue(value, m_base.value(key))) {
            m_overrides.remove(key); // back to the inherited value: no longer this layer's own
        } else {
            m_overrides.insert(key, value);
        }
        updateMark(field);
    }
    Q_EMIT overridesChanged();
}

void GenerationSettingsForm::showValues()
{
    m_showing = true;
    const QJsonObject shown = vora::app::settingsToJson(settings());
    for (const Field& field : m_fields) {
        field.write(shown.value(field.key));
        updateMark(field);
    }
    const QString prompt = shown.value(QStringLiteral("system_prompt")).toString();
    const int preset = m_presets->findData(prompt);
    m_presets->setCurrentIndex(preset >= 0 ? preset : 0);
    m_showing = false;
}

void GenerationSettingsForm::updateMark(const Field& field)
{
    const bool own = m_overrides.contains(field.key);
    field.label->setText(own ? QStringLiteral("<b>%1</b><br><small>\u25cf %2</small>").arg(field.title.toHtmlEscaped(), m_mark)
                             : field.title.toHtmlEscaped());
    field.reset->setEnabled(own);
    field.reset->setToolTip(own ? tr("Reset %1 to the inherited value").arg(field.title)
                                : tr("%1 follows the defaults").arg(field.title));
}

void GenerationSettingsForm::fillPresets()
{
    m_presets->clear();
    m_presets->addItem(tr("Custom"));
    if (!m_appSettings) {
        return;
    }
    for (const vora::app::SystemPromptPreset& preset : m_appSettings->systemPromptPresets()) {
        m_presets->addItem(preset.name, preset.text);
    }
}

void GenerationSettingsForm::savePreset()
{
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Save system prompt preset"), tr("Preset name:"), QLineEdit::Normal,
                                               {}, &ok);
    if (!ok || name.trimmed().isEmpty()) {
        return;
    }
    if (!m_appSettings->saveSystemPromptPreset(name, m_systemPrompt->toPlainText().trimmed())) {
        m_presets->setToolTip(tr("\u201c%1\u201d is a built-in preset; choose another name.").arg(name));
        return;
    }
    fillPresets();
    m_presets->setCurrentIndex(m_presets->findText(name.simplified()));
}

} // namespace vora::ui
