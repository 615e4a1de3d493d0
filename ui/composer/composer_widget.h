#pragma once
// Where a message is written: attached images (drop, paste, or the Attach button), the text field, and
// Send, which turns into Stop while an answer streams. GUI thread only.
#include <QWidget>

class QPushButton;
class QToolButton;

namespace vora::ui {

class AttachmentStrip;
class ComposerEdit;

class ComposerWidget : public QWidget {
    Q_OBJECT
public:
    explicit ComposerWidget(QWidget* parent = nullptr);

    // canSend: a model is loaded and idle. placeholder says what to do otherwise.
    void setCanSend(bool canSend, const QString& placeholder);
    void setGenerating(bool generating);
    void setModelGeometry(int imageSize, int patchSize);
    void addImages(const QList<QByteArray>& encodedImages, const QStringList& problems = {});
    void clear();
    void focusText();

    ComposerEdit* edit() const { return m_edit; }
    AttachmentStrip* attachments() const { return m_attachments; }
    QString text() const;

Q_SIGNALS:
    void sendRequested(const QString& text, const QList<QByteArray>& images);
    void stopRequested();
    void settingsRequested();
    void problem(const QString& title, const QString& details);

private:
    void chooseImages();
    void submit();
    void showModelView(int index);
    void updateSendButton();

    AttachmentStrip* m_attachments;
    ComposerEdit* m_edit;
    QToolButton* m_attach;
    QToolButton* m_settings;
    QPushButton* m_send;
    bool m_canSend = false;
    bool m_generating = false;
    int m_imageSize = 448;
    int m_patchSize = 14;
};

} // namespace vora::ui
