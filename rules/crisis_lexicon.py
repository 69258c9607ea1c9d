"""The words rules.crisis looks for, English and Spanish.

Patterns run on normalized text (see `rules.crisis.normalize`): lower case, no accents
("suicidar", "dano"), no apostrophes ("im", "dont", "hed"), single spaces. Each is first-person
or names who is threatened, so that the everyday "kill"/"die"/"matar"/"morir" of idiom does not
match in the first place; GUARDS then cancel a hit that sits inside a known idiom or accident.

The wording follows the C-SSRS screener (wish to be dead, thoughts of killing oneself, method,
intent, plan, preparatory acts such as collecting pills or writing a note) and the warning signs
988 and NIMH publish (talking about wanting to die, being a burden, having no reason to live,
stockpiling pills, buying a gun or a rope, giving things away, saying goodbye).
"""

import re

SUICIDE = "suicide"
SELF_HARM = "self_harm"
HARM_TO_OTHERS = "harm_to_others"
IN_DANGER = "in_danger"
CATEGORIES = (SUICIDE, HARM_TO_OTHERS, IN_DANGER, SELF_HARM)  # most urgent first

# Pieces shared by several patterns.
_I_WILL = r"(?:im (?:going to|gonna|gunna|about to|planning to|ready to)|i(?:ll|d| will| would| am going to| might| want to| wanna| need to| have to)|i(?:ve| have) decided to)"
_WANT = r"(?:want(?:s|ed)? to|wanna|wish(?:ed)? (?:i could|to)|ready to|planning to|plan to|decided to|(?:tried|trying|try) to|about to)"
_PEOPLE = r"(?:him|her|them|you|someone|somebody|everyone|people|my (?:\w+ )?\w+|the (?:baby|kids?|children))"
_ABUSER = r"(?:he|she|they|hes|shes|my (?:husband|wife|partner|boyfriend|girlfriend|bf|gf|ex|dad|father|mom|mother|stepdad|stepfather|stepmom|brother|sister|son|daughter|roommate|uncle|aunt|boss|fiance|fiancee|spouse))"
# "hell", "shed", "theyd": he'll, she'd, they'd once the apostrophe is gone.
_ABUSER_WILL = r"(?:(?:he|she|they)(?:ll|d)|" + _ABUSER + r" (?:will|would|is going to|was going to|s gonna|is gonna|might))"
# A few words that are not a negation: "my husband (sometimes) hits me", not "he never hits me".
_GAP = r"(?:(?!(?:never|not|no|dont|doesnt|didnt|wont|wouldnt|hasnt|havent|nunca)\b)\w+ ){0,3}"
_HARM_VERB = r"(?:kill|hurt|stab|shoot|strangle|choke|beat|harm|murder)"
_SELF_VERB_ES = r"(?:matarme|suicidarme|morirme|quitarme la vida|ahorcarme|colgarme|tirarme|aventarme|cortarme)"

_EN = {
    SUICIDE: [
        r"\b(?:kill|killing|killed|hang|hanging|hanged|shoot|shooting|unalive|unaliving|off) (?:my ?self|me self)\b",
        r"\bkms\b",
        r"\bunalive\b",
        r"\b(?:i|my (?:brain|head|mind|thoughts|voices?)) .{0,30}\bkys\b",
        r"\b(?:im|i am|i was|i feel|feeling|ive been|i have been|been feeling|getting) (?:so |really |very |pretty |kinda |kind of |a bit |a little )?suicidal\b",
        r"\bsuicidal (?:thoughts|ideation|urges|feelings)\b",
        r"\b(?:think|thinking|thought|thoughts) (?:about|of) (?:suicide|dying|killing myself|ending (?:it|my life|things|everything))\b",
        r"\b(?:commit|committing) suicide\b",
        r"\b(?:i|ive|i have|im|i am|i just) (?:wrote|written|writing|left|leave|write|finished) (?:a |my |the )?(?:suicide|goodbye) (?:note|notes|letter|letters)\b",
        r"\bmy (?:suicide|goodbye) (?:note|notes|letter|letters)\b",
        r"\b" + _WANT + r" (?:die|end (?:it all|my life|myself|everything)|take my (?:own )?life|disappear forever|sleep forever|go to sleep forever)\b",
        r"\b(?:end|ending|take|taking) my (?:own )?life\b",
        r"\b(?:end|ending) (?:it|things|everything) (?:all|tonight|now|today|soon|this (?:week|weekend))\b",
        r"\bi (?:wish|wished) (?:i (?:was|were) dead|i (?:could|would) (?:go to sleep|sleep|fall asleep) and (?:not|never) wake up)\b",
        r"\b(?:dont|do not|didnt) want to (?:live|be alive|be here anymore|exist|wake up)\b",
        r"\b(?:never|dont|do not) want to wake up\b",
        r"\b(?:wish|want to|wanna) (?:i could )?(?:just )?(?:not exist|stop existing|not be here anymore)\b",
        r"\b(?:take|took|taking|swallow|swallowing|swallowed) (?:every|all|everything)\b.{0,25}\b(?:pills?|meds|medicine|medications?|tablets|medicine cabinet)\b",
        r"\b(?:wont|will not|dont think ill|dont think i will|not going to|may not|might not) be (?:around|here|alive) (?:for|much longer|anymore|by|next|to)\b",
        r"\b(?:step|stepping|jump|jumping|fall|falling) (?:off|onto|from) the (?:platform|tracks|ledge)\b",
        r"\b(?:in front of|under) (?:a|the) (?:train|subway|bus|truck)\b",
        r"\b(?:looked up|looking up|googled|searching|searched for) (?:the )?(?:tallest|highest) (?:building|bridge|cliff)\b",
        r"\balready (?:said goodbye|say goodbye) to (?:everyone|everybody|my family)\b",
        r"\b(?:nobody|no one|noone) (?:would|will|is going to|would even|will even) (?:miss|notice|care)\b.{0,25}\b(?:if i (?:was|were|died|disappeared|killed myself)|gone|dead)\b",
        r"\b(?:took|take|taken|taking) an overdose\b",
        r"\b(?:im|i am) (?:so )?done (?:with life|with living|living|being alive)\b",
        r"\b(?:my )?life (?:is not|isnt|aint|is no longer) worth (?:living|it)\b",
        r"\b(?:no|any|a) (?:point|reason) (?:in|to|for) (?:living|live|being alive|going on|keep going)\b",
        r"\bbetter off (?:dead|without me)\b",
        r"\b(?:pills|meds|pills saved|gun|rope) (?:is |are )?(?:saved|stashed|hidden|ready|loaded)\b",
        r"\b(?:saved|saving|stockpiled|stockpiling|hoarding|hoarded|collecting|collected|stashing|stashed) (?:up )?(?:my |the |all (?:my |the )?)?(?:pills|meds|medication|tablets)\b",
        r"\bhow many (?:pills|tablets|meds) (?:it )?(?:would|will|does|do) (?:it )?(?:take|kill)\b",
        r"\b(?:researching|looking up|googling|searching|searched|looked up) (?:for )?(?:ways|how) to (?:die|kill myself|overdose|end it)\b",
        r"\bways to die\b",
        r"\b(?:took|swallowed|taken|take|taking|swallow|swallowing) (?:a whole bottle of|all (?:of )?(?:my|the)|a bunch of|too many|every one of my|\d+ (?:of )?(?:my |the )?) ?(?:\w+ )?(?:pills|meds|tablets|medication)\b",
        r"\b(?:picture|picturing|imagine|imagining|see|seeing|visualize|visualizing) myself (?:hanging|dead|dying|jumping|in a coffin|with a gun)\b",
        r"\b(?:i|going to|gonna|planning to|plan to|tried to|want to) (?:overdose|od)\b",
        r"\bi (?:overdosed|odd)\b",
        r"\b(?:jump|jumping) (?:off|from) (?:the|a|my) (?:bridge|roof|building|balcony|cliff|overpass)\b",
        r"\b(?:drive|driving|crash|crashing) (?:my car )?into (?:a|the) (?:wall|tree|river|traffic|pole)\b",
        r"\b(?:step|stepping|walk|walking|jump|jumping) in front of (?:a|the) (?:train|bus|truck|car)\b",
        r"\b(?:gave|giving|give) away (?:all )?(?:my|of my) (?:things|stuff|belongings|possessions)\b",
        r"\b(?:bought|got|buying|purchased|have) (?:a |the )?rope\b(?! for (?!my ?self))",
        r"\b(?:bought|got|buying|purchased) (?:a |the )?gun\b(?! (?:for|to) (?!my ?self))",
        r"\b(?:gun|pills|rope|knife|meds)\b.{0,40}\b(?:going to|gonna|will|ready to|ll) (?:use it|use them|take them|do it) (?:tonight|today|now|soon|this week|this weekend|tomorrow)\b",
    ],
    SELF_HARM: [
        r"\b(?:cut|cutting|cuts|burn|burned|burnt|burning|hurt|hurting|harm|harming|scratch|scratching|hit|hitting|punish|punishing|starve|starving) (?:my ?self)\b",
        r"\b(?:been|started|keep|kept|back to) cutting\b",
        r"\b(?:relapsed and |i )cut (?:again|myself)\b",
        r"\b(?:cutting|cut) again\b",
        r"\bcutting (?:my )?(?:arms|legs|wrists|thighs|skin)\b",
        r"\b(?:burned|burnt|cut|scratched|carved|sliced) my (?:arms?|wrists?|legs?|thighs?|skin|stomach)\b(?! (?:on|at|in|while|playing|cooking))",
        r"\b(?:holding|have|got|staring at|looking at) (?:the|a|my) (?:razor|blade|razor blade)\b",
        r"\bself ?-?harm(?:ing|ed)?\b(?! (?:prevention|awareness|research))",
        r"\b(?:urges?|urge) to (?:sh|self ?-?harm|cut|hurt myself)\b",
        r"\brelapsed? (?:on |with )?(?:sh|self ?-?harm|cutting)\b",
        r"\bsh (?:again|urges?|relapse|scars?|wounds?)\b",
        r"\b(?:hurt|cut|burn|burned|burnt|hit|punched|bled|bleed|scratched|bruised|starved)\b.{0,40}\bon purpose\b",
        r"\b(?:scratching|scratch|scratched|picking|picked) (?:at )?my (?:arms|skin|legs|wrists) until (?:they|it) bleeds?\b",
    ],
    HARM_TO_OTHERS: [
        r"\b" + _I_WILL + r" " + _HARM_VERB + r" " + _PEOPLE + r"\b",
        r"\bi (?:want|wanna|wish i could|feel like i could|could) " + _HARM_VERB + r" " + _PEOPLE + r"\b",
        r"\b(?:thoughts?|thinking|fantasi[sz]e\w*|fantasies|urges?|imagining|picturing|imagine|picture) (?:of |about |to )?(?:killing|hurting|stabbing|shooting|strangling|drowning|smothering|shaking|kill|hurt|stab|shoot|smother|drown) " + _PEOPLE + r"\b",
        r"\b(?:afraid|scared|worried|terrified) (?:that )?(?:im going to|ill|i will|i might|i could|i may) (?:hurt|kill|harm|shake|drown|smother) " + _PEOPLE + r"\b",
        r"\bshoot up (?:my|the|a|our) (?:school|workplace|office|work|job|class|church)\b",
        r"\b(?:bring|bringing|take|taking|brought) (?:my|a|his) (?:gun|rifle|knife) (?:to|into) (?:work|school|the office|class|church)\b",
        r"\b(?:bought|got) a (?:gun|knife) (?:to|for) (?:deal with|use on|get|shoot|take care of|kill)\b",
        r"\bbeat (?:him|her|them) (?:up|until|to death)\b",
    ],
    IN_DANGER: [
        r"\b(?:threaten\w*|said|says|told me|tells me|swore|swears|promised) .{0,25}\b(?:kill|hurt|shoot|stab|beat|choke|strangle) me\b",
        r"\b" + _ABUSER_WILL + r" (?:kill|hurt|shoot|stab|beat) me\b",
        r"\b(?:scared|afraid|terrified|frightened) (?:that )?(?:" + _ABUSER_WILL + r"|" + _ABUSER + r") (?:hurt|kill|hit|shoot|beat|come after|find) (?:me|us|my kids)\b",
        r"\b" + _ABUSER + r" " + _GAP + r"(?:hits?|hitting|beats?|beat|beating|choked|chokes|choking|strangled|strangles|slapped|slaps|punched|punches|kicked|kicks|shoved|shoves|raped|rapes|abuses|abused|abusing|is hurting|keeps hurting|hurts|hurt|attacked|threatens|threatened|grabbed|grabs|pushed|pushes|locked) me\b",
        r"\b(?:not|dont feel|never feel|do not feel) safe (?:at home|in my (?:own )?(?:house|home|apartment)|with (?:him|her|them|my \w+)|here)\b",
        r"\b(?:afraid|scared|fear|fearing|terrified) for my life\b",
        r"\b(?:afraid|scared|terrified) (?:to go|of going) (?:back )?home\b",
        r"\blocked me (?:in|inside|out)\b",
        r"\b(?:hands?|arms?|a belt|a cord) (?:around|on|against) my (?:neck|throat)\b",
        r"\b(?:threatened|attacked|came at|chased) me with (?:a|his|her) (?:knife|gun|bat|weapon|hammer)\b",
        r"\b(?:has|have|got|keeps) a (?:gun|knife|weapon)\b.{0,40}\b(?:use it on me|kill me|hurt me|shoot me)\b",
    ],
}

_ES = {
    SUICIDE: [
        r"\bme (?:quiero|voy a|vaya a|pienso|gustaria|dan ganas de|tengo que) (?:matar|suicidar|quitar la vida|ahorcar|colgar)\b",
        r"\bme (?:quiero|quisiera|gustaria|dan ganas de) morir\b",
        r"\b(?:quiero|voy a|pienso en|pense en|penso en|intente|intentar|he pensado en|ganas de|deseo|podria|como|quisiera|necesito) " + _SELF_VERB_ES + r"\b",
        r"\bquiero morir\b",
        r"\b(?:hoy|ya|mejor|esta noche|manana) me mato\b",
        r"\bno quiero (?:vivir|seguir viviendo|seguir|estar vivo|estar viva|despertar|existir)\b",
        r"\b(?:ojala|quisiera|desearia|deseo) (?:estar|estuviera|estuviese) (?:muerta|muerto)\b",
        r"\b(?:dormirme|dormir) y no (?:despertar|volver a despertar)\b",
        r"\b(?:estarian|estarias|estaria|estan|estarán) mejor sin mi\b",
        r"\bno (?:le )?veo (?:sentido|razon|motivo) (?:a|para|de) (?:vivir|seguir)\b",
        r"\bacabar con (?:mi vida|todo)\b",
        r"\b(?:quiero|quisiera) que (?:todo|esto) (?:se acabe|termine|se termine)\b",
        r"\bya me despedi de (?:todos|todo el mundo|mi familia)\b",
        r"\b(?:la|mi) vida (?:ya )?no vale la pena\b",
        r"\bno vale la pena (?:vivir|seguir viviendo|seguir)\b",
        r"\b(?:nadie|nadie me) (?:me )?(?:extranaria|echaria de menos|notaria)\b",
        r"\bpensamientos (?:suicidas|de muerte|de matarme)\b",
        r"\b(?:carta|cartas|nota|notas) (?:de )?(?:despedida|suicidio|suicida)\b",
        r"\b(?:pastillas|pildoras|medicinas) (?:guardadas|juntas|juntadas|listas|escondidas|ahorradas)\b",
        r"\b(?:guarde|junte|ahorre|estoy juntando|estoy guardando|he guardado|he juntado) (?:las |unas |mis |todas las )?(?:pastillas|pildoras)\b",
        r"\b(?:tome|trague|me tome|me trague) (?:todas|toda la caja de|un frasco de|muchas|un monton de) (?:las |mis )?(?:pastillas|pildoras|medicinas)\b",
        r"\b(?:compre|consegui|tengo) (?:una |la )?(?:cuerda|soga)\b(?! para (?!mi\b))",
        r"\bme (?:quiero|voy a) (?:tirar|aventar) (?:del|de un|de la|al|a las vias)\b",
        r"\b(?:quiero|quisiera) (?:dormir|dormirme|desaparecer) para siempre\b",
    ],
    SELF_HARM: [
        r"\bme (?:corte|corto|estoy cortando|cortaba|volvi a cortar|queme|quemo|lastime|lastimo|golpeo|golpee|rasguno|rasgune)\b(?! (?:el|la|las|los|un|una) (?:pelo|cabello|unas|flequillo|fleco|barba|dedo|lengua|labio|mano|pie))",
        r"\b(?:cortando|corte|corto|cortar|cortarme) (?:los|mis|las) (?:brazos|munecas|piernas|muslos|venas)\b",
        r"\b(?:hacerme|me hice|me hago|me estoy haciendo) dano\b",
        r"\bautolesion\w*\b",
        r"\bvolvi a (?:cortarme|autolesionarme|lastimarme|hacerme dano|quemarme)\b",
        r"\b(?:lastimarme|quemarme|cortarme|golpearme)\b",
    ],
    HARM_TO_OTHERS: [
        r"\b(?:lo|la|los|las|te) (?:voy a|quiero|vamos a) (?:matar|lastimar|golpear|apunalar|ahorcar)\b",
        r"\b(?:voy a|quiero|tengo ganas de|pienso en|me dan ganas de) (?:matar|lastimar|golpear|apunalar|hacerle dano|hacerles dano) (?:a|al)\b",
        r"\b(?:quiero|voy a|tengo ganas de) hacerle dano\b",
        r"\b(?:miedo|temo) (?:de )?(?:hacerle dano|lastimar|matar) (?:a|al)\b",
    ],
    IN_DANGER: [
        r"\bme (?:pega|golpea|pego|golpeo|ahorca|ahorco|estrangula|estrangulo|empuja|empujo|violo|viola|maltrata|maltrato|amenaza|amenazo|patea|pateo|abofeteo)\b(?! (?:con|contra) )",
        r"\b(?:amenazo|amenaza|amenazado) con (?:matarme|pegarme|lastimarme|hacerme dano|quitarme a)\b",
        r"\b(?:dijo|dice|me dijo|juro|jura) que me (?:iba a|va a|mataria|matara) ?(?:matar|hacer dano|pegar|lastimar)?\b",
        r"\bme (?:va|iba) a matar\b",
        r"\b(?:miedo|temo) (?:de )?(?:que )?(?:me (?:haga dano|mate|pegue|lastime|golpee|encuentre)|(?:el|ella|mi \w+) me (?:haga dano|mate|pegue|lastime))\b",
        r"\bno estoy (?:segura|seguro|a salvo) (?:en|con)\b",
        r"\bme (?:encerro|encierra|encerraron) (?:en|dentro)\b",
        r"\b(?:temo|miedo) por mi vida\b",
    ],
}

# Idioms and accidents. A hit that overlaps one of these is not a hit.
GUARDS = [
    r"\bshoot myself in the foot\b",
    r"\bkill(?:ing)? myself (?:laughing|working|studying|at the gym|trying)\b",
    r"\b(?:cut|hurt|burned|burnt|scratched) myself (?:shaving|cooking|chopping|gardening|by accident|accidentally|at the gym|at work|playing|lifting|moving|on (?:a|the|some) \w+|with (?:the|a) (?:stove|oven|iron|paper))\b",
    r"\b(?:would|will|\w+ll|\w+d|gonna|going to) kill me if (?!i (?:leave|go|tell|call|report|try)|(?:i )?(?:leave|call the police|tell anyone))",
    r"\bbeat me (?:at|in|to)\b",
    r"\bnot on purpose\b",
    r"\bme (?:corte|queme|lastime|golpee) (?:con (?:un|el|una|la) (?:papel|hoja|lata|vidrio|puerta|horno|plancha|estufa|sarten)|sin querer|por accidente|cocinando|afeitandome|en el trabajo|jugando)\b",
    r"\bme (?:va|iba) a matar si (?!lo (?:dejo|denuncio)|la (?:dejo|denuncio)|me voy|me separo|llamo|le digo|se lo digo|digo)",
    r"\b(?:die|dying|died) (?:of|from) (?:embarrassment|boredom|laughter|laughing|shame|cringe|hunger|thirst|curiosity)\b",
    r"\b(?:me muero|me mori|me voy a morir|morir|morirme|muriendo) de (?:la )?(?:ganas|hambre|risa|sueno|verguenza|frio|calor|aburrimiento|miedo|sed|envidia|amor|cansancio)\b",
    r"\bme (?:pego|pegue) (?:con|contra)\b",
]

# A resolved past in the same clause: "years ago", "used to", "no longer".
RESOLVED = [
    r"\b(?:years?|months?|decades?|a long time|long) ago\b",
    r"\bused to\b",
    r"\bno longer\b",
    r"\bnot anymore\b",
    r"\bin (?:high school|college|my teens|my twenties)\b",
    r"\bas a (?:kid|teen|teenager|child)\b",
    r"\bwhen i was (?:a |in |young|younger|little|\d+)",
    r"\bsince (?:we|i) (?:started|began)\b",
    r"\bin (?:\w+ )?(?:years|months)\b",
    r"\bin a long time\b",
    r"\bback (?:then|in \d{4})\b",
    r"\bhace (?:mucho |muchos |\w+ )?(?:anos|meses|tiempo)\b",
    r"\bantes\b",
    r"\bcuando (?:era|tenia|estaba en)\b",
    r"\bllevo .{0,25}\bsin\b",
    r"\bde (?:nino|nina|joven|adolescente|chica|chico)\b",
    r"\bya no (?:lo hago|me corto|lo pienso|pienso en eso)\b",
]

# A denial of one's own suicidality: a signal, marked denied (see rules.crisis).
_DENIALS = {
    "en": [r"\b(?:im|i am) (?:not|never) (?:\w+ )?suicidal\b"],
    "es": [r"\bno (?:soy|estoy) (?:\w+ )?suicida\b"],
}

# Words that deny what follows them within a few words.
NEGATORS = frozenset(
    "not never no dont doesnt didnt wont wouldnt isnt arent wasnt havent hasnt hadnt nor "
    "nunca jamas tampoco ni".split())

# A clause that names a work of fiction, where a quoted threat is the work's, not the writer's.
MEDIA = re.compile(r"\b(?:movie|film|show|series|episode|book|novel|song|lyrics|game|character|"
                   r"pelicula|serie|libro|novela|cancion|personaje|juego)\b")


def _compile(table: dict) -> list:
    return [(category, re.compile(p)) for category, patterns in table.items() for p in patterns]


PATTERNS = {"en": _compile(_EN), "es": _compile(_ES)}
GUARD_PATTERNS = [re.compile(p) for p in GUARDS]
DENIAL_PATTERNS = {language: [re.compile(p) for p in patterns]
                   for language, patterns in _DENIALS.items()}
RESOLVED_PATTERNS = [re.compile(p) for p in RESOLVED]
