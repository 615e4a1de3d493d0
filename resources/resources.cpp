// Anchor for the vora_resources library; the resource data comes from qt_add_resources.
