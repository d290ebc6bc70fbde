site-name = Pactum
skip-to-content = انتقل إلى المحتوى
language = اللغة
language-choose = اختر اللغة
sign-out = تسجيل الخروج
signed-in-as = تم تسجيل الدخول باسم { $name }

sign-in-title = تسجيل الدخول
sign-in-intro = سجّل الدخول باستخدام بريدك الإلكتروني وكلمة المرور.
field-email = البريد الإلكتروني
field-password = كلمة المرور
sign-in-button = تسجيل الدخول
sign-in-failed = البريد الإلكتروني وكلمة المرور غير متطابقين. تحقق منهما وحاول مرة أخرى.
sign-in-too-many = محاولات كثيرة جدًا. انتظر ربع ساعة ثم حاول مرة أخرى.
email-missing = أدخل بريدك الإلكتروني، مثل name@example.nl.
password-missing = أدخل كلمة المرور.
errors-title = حدث خطأ ما
signed-out = لقد سجّلت الخروج.

home-title = Pactum الخاص بي
home-greeting = مرحبًا { $name }
home-organisations = الجهات التي تنتمي إليها
home-nothing = أنت لا تنتمي بعد إلى بلدية أو شبكة. اطلب دعوة من منسق شبكتك.
role-municipal_admin = مدير
role-officer = موظف
role-finance = المالية
role-auditor = مدقق
role-coordinator = منسق
role-treasurer = أمين الصندوق
role-member = عضو

error-title = لم ينجح ذلك
error-csrf = انتهت صلاحية هذا النموذج. ارجع وأعد تحميل الصفحة وحاول مرة أخرى.
error-not-found = هذه الصفحة غير موجودة، أو لا يُسمح لك برؤيتها.
