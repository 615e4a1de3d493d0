#include "ui/common/dialog_buttons.h"
#include "ui/settings/chat_settings_dialog.h"

#include "ui/common/tone_label.h"
#include "ui/settings/generation_settings_form.h"

#include <QDialogButtonBox>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

namespace vora::ui {

ChatSettingsDialog::ChatSettingsDialog(const QString& chatTitle, const vora::app::ConversationSettings& inherited,
                                       const QJsonObject& overrides, vora::app::AppSettings* appSettings, QWidget* parent)
    : QDialog(parent)
    , m_form(new GenerationSettingsForm(tr("this chat"), appSettings, this))
{
    setWindowTitle(tr("Chat settings: %1").arg(chatTitle));
    setObjectName(QStringLiteral("chatSettings"));
    resize(640, 720);
    auto* layout = new QVBoxLayout(this);
    auto* intro = new ToneLabel(tr("These settings apply to this chat only. Fields marked \u25cf this chat are its "
                                   "own; the others follow the defaults for new chats (Preferences) and the model's "
                                   "own generation_config.json."),
                                ToneLabel::Tone::Secondary, this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(m_form);
    layout->addWidget(scroll, 1);
    m_form->setLayers(inherited, overrides);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    QPushButton* useDefaults = buttons->addButton(tr("Use the defaults"), QDialogButtonBox::ResetRole);
    useDefaults->setObjectName(QStringLiteral("useDefaultsButton"));
    useDefaults->setToolTip(tr("Drop every setting of this chat's own"));
    connect(useDefaults, &QPushButton::clicked, m_form, &GenerationSettingsForm::resetAll);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    useTextOnlyButtons(buttons);
    layout->addWidget(buttons);
}

QJsonObject ChatSettingsDialog::overrides() const
{
    return m_form->overrides();
}

} // namespace vora::ui
