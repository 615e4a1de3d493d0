#include "ui/common/dialog_buttons.h"

#include <QAbstractButton>
#include <QDialogButtonBox>
#include <QMessageBox>

namespace vora::ui {

void useTextOnlyButtons(QDialogButtonBox* buttons)
{
    for (QAbstractButton* button : buttons->buttons()) {
        button->setIcon(QIcon());
    }
}

void useTextOnlyButtons(QMessageBox* box)
{
    for (QAbstractButton* button : box->buttons()) {
        button->setIcon(QIcon());
    }
}

} // namespace vora::ui
