#pragma once
// The app's buttons with an icon from resources/icons (and optional text beside it): flat with a
// rounded hover fill, or Primary (a filled accent circle, for Send), painted from the palette so they
// follow light and dark themes. A focus ring is drawn whenever the button has keyboard focus; mouse
// clicks do not take focus (Tab does). Every button has an accessible name, also its tooltip unless one
// is set. GUI thread only.
#include <QToolButton>

namespace vora::ui {

class IconButton : public QToolButton {
    Q_OBJECT
public:
    // Flat: toolbar style. Primary: a filled accent circle (Send). Badge: a small dark circle with a white
    // icon, readable over any image (the x on attachments).
    enum class Kind { Flat, Primary, Badge };

    IconButton(const QString& iconName, const QString& accessibleName, QWidget* parent = nullptr, Kind kind = Kind::Flat);

    QString iconName() const { return m_iconName; }
    void setIconName(const QString& iconName);
    Kind kind() const { return m_kind; }
    // A chevron after the text: the button opens a menu.
    void setShowsMenuChevron(bool shows);
    // Concealed: drawn only while hovered or focused (actions that appear on hover); it keeps its place,
    // stays in the tab order and still takes clicks.
    void setConcealed(bool concealed);
    bool isConcealed() const { return m_concealed; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override { return sizeHint(); }

protected:
    void paintEvent(QPaintEvent* event) override;
    void enterEvent(QEnterEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    int iconSide() const;

    QString m_iconName;
    Kind m_kind;
    bool m_hovered = false;
    bool m_chevron = false;
    bool m_concealed = false;
};

} // namespace vora::ui
