#pragma once
// Where a message is written: a rounded card holding the attached images (drop, paste or the attach
// button inside the card), the text field, and a row of icon buttons: attach, chat settings, the
// context meter and Send, which turns into Stop while an answer streams. Under the card, one line says
// when something will not fit the context, or that a text-only model cannot read the attached images.
// Every control that cannot act says why in its tooltip. GUI thread only.
#include "app/chat/context_meter.h"
#include "ui/composer/image_mime.h"

#include <QWidget>

namespace vora::ui {

class AttachmentStrip;
class ComposerEdit;
class ContextMeterWidget;
class IconButton;
class ToneLabel;

class ComposerWidget : public QWidget {
    Q_OBJECT
public:
    explicit ComposerWidget(QWidget* parent = nullptr);

    // canSend: a model is loaded and idle. placeholder says what to do otherwise (and is repainted at once).
    void setCanSend(bool canSend, const QString& placeholder);
    void setGenerating(bool generating);
    // modelSees: false for a text-only model; attached images then block sending, with a notice.
    void setModelGeometry(int imageSize, int patchSize, bool modelSees);
    void setContextUsage(const vora::app::ContextUsage& usage);
    void addImages(const QList<NamedImage>& images, const QStringList& problems = {});
    void addImageFiles(const QStringList& paths);
    void clear();
    void focusText();

    ComposerEdit* edit() const { return m_edit; }
    AttachmentStrip* attachments() const { return m_attachments; }
    IconButton* sendButton() const { return m_send; }
    ContextMeterWidget* contextMeter() const { return m_meter; }
    ToneLabel* noticeLabel() const { return m_notice; }
    QString text() const;

Q_SIGNALS:
    void sendRequested(const QString& text, const QList<QByteArray>& images);
    void stopRequested();
    void settingsRequested();
    void problem(const QString& title, const QString& details);
    // The message being written changed: its text and how many images it has.
    void draftChanged(const QString& text, int imageCount);

protected:
    void paintEvent(QPaintEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void chooseImages();
    void submit();
    void showImage(int index);
    void updateSendButton();
    void updateNotice();
    bool imagesUnseen() const; // images are attached but the model reads text only
    QRect cardRect() const;

    AttachmentStrip* m_attachments;
    ComposerEdit* m_edit;
    IconButton* m_attach;
    IconButton* m_settings;
    ContextMeterWidget* m_meter;
    IconButton* m_send;
    ToneLabel* m_notice;
    bool m_canSend = false;
    bool m_generating = false;
    int m_imageSize = 448;
    int m_patchSize = 14;
    bool m_modelSees = true;
    bool m_contextFull = false;
};

} // namespace vora::ui
